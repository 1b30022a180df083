//! Saves a report lab's page as a standalone HTML file.

use super::dom;
use super::page::LabUi;
use crate::figure::{Figure, Plot};
use crate::labs::export::{report_html, Picture};
use crate::labs::{self};
use wasm_bindgen::JsCast;
use std::collections::BTreeMap;
use web_sys::HtmlElement;

/// Builds the file from what the page shows now and starts its download.
pub fn export(lab_id: &str, ui: &LabUi, note: &str, figures: &BTreeMap<String, Figure>) {
    let (Some(info), Some(spec)) = (labs::find(lab_id), labs::spec(lab_id)) else { return };
    let title = format!("ReasonLab · Day {} · {}", info.day, info.title);
    // The lab's table figures become the report's table; its canvases, pictures.
    let rows = figures
        .values()
        .find_map(|f| match &f.plot {
            Plot::Table(t) => Some(t.all_rows()),
            _ => None,
        })
        .unwrap_or_default();
    let pictures: Vec<Picture> = ui
        .charts
        .iter()
        .filter_map(|(_, chart)| Some(Picture { image: chart.canvas.as_ref()?.to_data_url().ok()?, caption: chart.caption.text_content().unwrap_or_default() }))
        .collect();
    let link = dom::window().location().href().unwrap_or_default();
    let html = report_html(&title, spec.intro, &link, &rows, &pictures, note);
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
