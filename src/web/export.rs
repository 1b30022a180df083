//! Saves a report lab's page as one standalone HTML file, or as Markdown with
//! its plots as PNG files in a zip.

use super::dom;
use super::page::LabUi;
use crate::figure::{Figure, Plot};
use crate::labs::export::{report_html, report_zip, Picture, Section};
use crate::labs::{self};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// The file's two forms.
#[derive(Clone, Copy, PartialEq)]
pub enum Form {
    Html,
    MarkdownZip,
}

/// Builds the file from what the page shows now and starts its download.
pub fn export(lab_id: &str, ui: &LabUi, note: &str, figures: &BTreeMap<String, Figure>, form: Form) {
    let (Some(info), Some(spec)) = (labs::find(lab_id), labs::spec(lab_id)) else { return };
    let title = format!("ReasonLab · Day {} · {}", info.day, info.title);
    // In the page's order: each table with its caption, each canvas as a picture.
    let sections: Vec<Section> = ui
        .charts
        .iter()
        .filter_map(|(fig, chart)| {
            // The figure's title, then its caption: the file has no headings of its own.
            let caption = format!("{}. {}", fig.title, chart.caption.text_content().unwrap_or_default());
            if let Some(canvas) = &chart.canvas {
                return Some(Section::Picture(Picture { image: canvas.to_data_url().ok()?, caption }));
            }
            match &figures.get(fig.name)?.plot {
                Plot::Table(t) => Some(Section::Table { caption, rows: t.all_rows() }),
                _ => None,
            }
        })
        .collect();
    let link = dom::window().location().href().unwrap_or_default();
    // "reasonlab-report.zip" for Day 30's, "reasonlab-recall-report.html" for a week's.
    let stem = if lab_id == "report" { "reasonlab-report".to_string() } else { format!("reasonlab-{lab_id}-report") };
    match form {
        Form::Html => {
            let html = report_html(&title, spec.intro, &link, &sections, note);
            let href = format!("data:text/html;charset=utf-8,{}", String::from(js_sys::encode_uri_component(&html)));
            let Ok(a) = dom::document().create_element("a") else { return };
            let _ = a.set_attribute("href", &href);
            let _ = a.set_attribute("download", &format!("{stem}.html"));
            let _ = a.set_attribute("data-export", "");
            if let Some(body) = dom::document().body() {
                let _ = body.append_child(&a);
                a.unchecked_ref::<HtmlElement>().click();
            }
        }
        Form::MarkdownZip => {
            let zip = report_zip(&title, spec.intro, &link, &sections, note);
            super::models::download(&format!("{stem}.zip"), &zip, "application/zip");
        }
    }
}
