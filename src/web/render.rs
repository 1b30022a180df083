//! Draws a lab's latest state: metrics table, progress, figures and note. It
//! knows figure kinds, never labs.

use super::charts;
use super::dom::{add, clear, el, set_text};
use super::page::{self, LabUi};
use crate::event::Snapshot;
use crate::figure::{curve_caption, format_metric, Figure, Plot, Shape, Table};
use std::collections::BTreeMap;

/// What the page has of a lab: the latest snapshot, every curve so far, and
/// the latest figure of each name (a snapshot sends only those that changed).
pub struct Shown<'a> {
    pub snap: &'a Snapshot,
    pub series: &'a BTreeMap<String, Vec<(u32, f32)>>,
    pub figures: &'a BTreeMap<String, Figure>,
}

pub fn render(ui: &LabUi, shown: Shown) {
    let snap = shown.snap;
    // An accuracy comes with `<name>_lo`, `_hi` and `_n`: shown in its own
    // row, beside the number, not as rows of their own.
    let metric = |key: &str| snap.metrics.iter().find(|(n, _)| n == key).map(|m| m.1);
    for (name, value) in &snap.metrics {
        let part_of = ["_lo", "_hi", "_n"].iter().find_map(|end| name.strip_suffix(end)).filter(|base| metric(base).is_some());
        if part_of.is_some() {
            continue;
        }
        set_text(&page::metric_cell(&ui.metrics, name), &format_metric(*value));
        if let (Some(lo), Some(hi), Some(n)) = (metric(&format!("{name}_lo")), metric(&format!("{name}_hi")), metric(&format!("{name}_n"))) {
            set_text(&page::interval_cell(&ui.metrics, name), &format!("95 % CI {} to {} (n = {n})", format_metric(lo), format_metric(hi)));
        }
    }
    let frac = if snap.total_steps > 0 { snap.step as f64 / snap.total_steps as f64 } else { 0.0 };
    let _ = ui.progress.set_attribute("value", &format!("{frac:.4}"));
    let _ = ui.progress.set_attribute("max", "1");
    set_text(&ui.progress_text, &format!("step {} of {}", snap.step, snap.total_steps));
    for (spec, chart) in &ui.charts {
        if let Shape::Curve { unit_range } = spec.shape {
            let points = shown.series.get(spec.name).map(Vec::as_slice).unwrap_or(&[]);
            // Companions on the same axes: `accuracy:control` beside `accuracy`.
            let prefix = format!("{}:", spec.name);
            let others: Vec<(&str, &[(u32, f32)])> = shown.series.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).map(|(k, v)| (&k[prefix.len()..], v.as_slice())).collect();
            if let Some(canvas) = &chart.canvas {
                charts::curve::draw(canvas, spec.name, points, &others, unit_range.then_some((0.0, 1.05)));
            }
            let mut caption = curve_caption(spec.name, points);
            for (label, line) in &others {
                caption += &format!("; {}", curve_caption(label, line));
            }
            set_text(&chart.caption, &caption);
            continue;
        }
        let Some(figure) = shown.figures.get(spec.name) else { continue };
        match (&chart.canvas, &chart.table, &figure.plot) {
            (_, Some(table), Plot::Table(t)) => fill_table(table, t),
            (Some(canvas), _, plot) => charts::draw(canvas, spec.name, plot),
            _ => {}
        }
        if let (Some(link), Plot::Download(d)) = (&chart.link, &figure.plot) {
            let href = format!("data:{};charset=utf-8,{}", d.mime, String::from(js_sys::encode_uri_component(&d.text)));
            if link.get_attribute("href").as_deref() != Some(href.as_str()) {
                let _ = link.set_attribute("href", &href);
                let _ = link.set_attribute("download", &d.file_name);
                set_text(link, &format!("Download {} ({:.1} kB)", d.file_name, d.text.len() as f64 / 1e3));
            }
        }
        set_text(&chart.caption, &figure.caption);
    }
    set_text(&ui.note, &snap.note);
}

/// Writes a table figure into its `<table>`: a header row, then the rows.
fn fill_table(table: &web_sys::Element, t: &Table) {
    clear(table);
    let head = add(table, el("thead", &[], ""));
    let row = add(&head, el("tr", &[], ""));
    for h in &t.header {
        add(&row, el("th", &[("scope", "col")], h));
    }
    let body = add(table, el("tbody", &[], ""));
    for r in &t.rows {
        let row = add(&body, el("tr", &[], ""));
        for (k, cell) in r.iter().enumerate() {
            add(&row, el(if k == 0 { "th" } else { "td" }, if k == 0 { &[("scope", "row")] } else { &[] }, cell));
        }
    }
}
