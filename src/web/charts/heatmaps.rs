//! Heatmaps side by side: a title (and a shape) over each, rows labelled on
//! the left, columns on top where they have labels, numbers written in the
//! cells where they fit.

use super::BLUE;
use crate::figure::{Heatmap, Heatmaps, Scale};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// White for 0, full blue for 1.
fn unit(w: f32) -> RGBColor {
    let w = w.clamp(0.0, 1.0);
    let mix = |c: u8| (255.0 - (255.0 - c as f32) * w) as u8;
    RGBColor(mix(BLUE.0), mix(BLUE.1), mix(BLUE.2))
}

/// Blue for negative, white for 0, orange for positive, full at ±max.
fn signed(v: f32, max: f32) -> RGBColor {
    let k = (v / max.max(1e-6)).clamp(-1.0, 1.0);
    let mix = |to: f32, k: f32| (255.0 + (to - 255.0) * k) as u8;
    if k >= 0.0 { RGBColor(mix(234.0, k), mix(88.0, k), mix(12.0, k)) } else { RGBColor(mix(37.0, -k), mix(99.0, -k), mix(235.0, -k)) }
}

pub fn draw(canvas: &HtmlCanvasElement, fig: &Heatmaps) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let cols = fig.columns.max(1);
    let rows = fig.panels.len().div_ceil(cols).max(1);
    let areas = root.split_evenly((rows, cols));
    for (area, panel) in areas.iter().zip(&fig.panels) {
        draw_panel(area, panel, &fig.row_labels, &fig.col_labels);
    }
    let _ = root.present();
}

fn draw_panel(area: &DrawingArea<CanvasBackend, Shift>, m: &Heatmap, row_labels: &[String], col_labels: &[String]) {
    let (w, h) = area.dim_in_pixel();
    let n_rows = m.rows.len().max(1) as i32;
    let n_cols = m.rows.first().map_or(1, Vec::len).max(1) as i32;
    let mut top = 14;
    let _ = area.draw(&Text::new(m.title.clone(), (2, 0), ("sans-serif", 11).into_font()));
    if !m.subtitle.is_empty() {
        let _ = area.draw(&Text::new(m.subtitle.clone(), (2, 12), ("sans-serif", 10).into_font().color(&RGBColor(90, 90, 90))));
        top = 26;
    }
    let left = if row_labels.is_empty() { 2 } else { 12 };
    let label_row = if col_labels.is_empty() { 0 } else { 12 };
    let (cell_w, cell_h) = if col_labels.is_empty() {
        (((w as i32 - left - 2) / n_cols).max(1), ((h as i32 - top - 2) / n_rows).max(1))
    } else {
        // Labelled both ways (attention: queries × keys): square cells.
        let c = ((w as i32 - left - 8) / n_cols).min((h as i32 - top - label_row - 4) / n_rows).clamp(2, 40);
        (c, c)
    };
    let (gx, gy) = (left, top + label_row);
    let font = ("monospace", cell_h.min(cell_w).clamp(6, 14)).into_font();
    for (j, label) in col_labels.iter().enumerate() {
        let _ = area.draw(&Text::new(label.clone(), (gx + j as i32 * cell_w + cell_w / 3, top), font.clone()));
    }
    let max = match m.scale {
        Scale::Signed { max } if max > 0.0 => max,
        _ => m.rows.iter().flatten().fold(0.0f32, |a, v| a.max(v.abs())),
    };
    for (i, row) in m.rows.iter().enumerate() {
        let y = gy + i as i32 * cell_h;
        if let Some(label) = row_labels.get(i) {
            let _ = area.draw(&Text::new(label.clone(), (0, y), font.clone()));
        }
        for (j, v) in row.iter().enumerate() {
            let x = gx + j as i32 * cell_w;
            let colour = match m.scale {
                Scale::Unit => unit(*v),
                Scale::Signed { .. } => signed(*v, max),
            };
            let _ = area.draw(&Rectangle::new([(x, y), (x + cell_w, y + cell_h)], colour.filled()));
            if m.numbers && cell_w >= 18 && cell_h >= 10 {
                let _ = area.draw(&Text::new(format!("{v:.1}"), (x + 1, y + 1), ("sans-serif", 8).into_font()));
            }
        }
    }
}
