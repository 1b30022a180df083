//! Saves a report lab's page as a standalone HTML file.

use super::dom;
use super::page::LabUi;
use crate::event::{Snapshot, View};
use crate::labs::export::{report_html, Figure};
use crate::labs::{self};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Builds the file from what the page shows now and starts its download.
pub fn export(lab_id: &str, ui: &LabUi, snap: &Snapshot) {
    let (Some(info), Some(spec)) = (labs::find(lab_id), labs::spec(lab_id)) else { return };
    let title = format!("ReasonLab · Day {} · {}", info.day, info.title);
    let (rows, note) = match &snap.view {
        View::Report(view) => (view.table(), view.note.clone()),
        View::Recall(view) => (view.table(), view.note.clone()),
        _ => (Vec::new(), String::new()),
    };
    let figures: Vec<Figure> = ui
        .charts
        .iter()
        .map(|(_, chart)| Figure { image: chart.canvas.to_data_url().unwrap_or_default(), caption: chart.caption.text_content().unwrap_or_default() })
        .collect();
    let link = dom::window().location().href().unwrap_or_default();
    let html = report_html(&title, spec.intro, &link, &rows, &figures, &note);
    let href = format!("data:text/html;charset=utf-8,{}", String::from(js_sys::encode_uri_component(&html)));
    let Ok(a) = dom::document().create_element("a") else { return };
    let _ = a.set_attribute("href", &href);
    let _ = a.set_attribute("download", &format!("reasonlab-{lab_id}-report.html"));
    let _ = a.set_attribute("data-export", "");
    if let Some(body) = dom::document().body() {
        let _ = body.append_child(&a);
        a.unchecked_ref::<HtmlElement>().click();
    }
}
