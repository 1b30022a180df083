//! Day 11: every matrix of one attention head for the user's text, with its
//! shape; the small ones with their numbers written in.

use crate::labs::attention::AttentionView;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Blue for negative, white for 0, orange for positive, scaled by `max`.
fn shade(v: f32, max: f32) -> RGBColor {
    let k = (v / max.max(1e-6)).clamp(-1.0, 1.0);
    let mix = |to: f32, k: f32| (255.0 + (to - 255.0) * k) as u8;
    if k >= 0.0 { RGBColor(mix(234.0, k), mix(88.0, k), mix(12.0, k)) } else { RGBColor(mix(37.0, -k), mix(99.0, -k), mix(235.0, -k)) }
}

pub fn draw(canvas: &HtmlCanvasElement, view: &AttentionView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let panels = root.split_evenly((2, 4));
    for (panel, m) in panels.iter().zip(&view.matrices) {
        let (w, h) = panel.dim_in_pixel();
        let rows = m.rows.len().max(1) as i32;
        let cols = m.rows.first().map_or(1, Vec::len).max(1) as i32;
        let top = 26;
        let cell_w = ((w as i32 - 12) / cols).max(1);
        let cell_h = ((h as i32 - top - 2) / rows).max(1);
        let max = m.rows.iter().flatten().fold(0.0f32, |a, v| a.max(v.abs()));
        let _ = panel.draw(&Text::new(m.name.clone(), (2, 0), ("sans-serif", 11).into_font()));
        let _ = panel.draw(&Text::new(format!("[{}]", m.shape()), (2, 12), ("sans-serif", 10).into_font().color(&RGBColor(90, 90, 90))));
        for (i, row) in m.rows.iter().enumerate() {
            let y = top + i as i32 * cell_h;
            if let Some(tok) = view.tokens.get(i) {
                let _ = panel.draw(&Text::new(tok.clone(), (0, y), ("monospace", cell_h.clamp(6, 10)).into_font()));
            }
            for (j, v) in row.iter().enumerate() {
                let x = 10 + j as i32 * cell_w;
                let _ = panel.draw(&Rectangle::new([(x, y), (x + cell_w, y + cell_h)], shade(*v, max).filled()));
                if cell_w >= 18 && cell_h >= 10 {
                    let _ = panel.draw(&Text::new(format!("{v:.1}"), (x + 1, y + 1), ("sans-serif", 8).into_font()));
                }
            }
        }
    }
    let _ = root.present();
    let find = |name: &str| view.matrices.iter().find(|m| m.name.starts_with(name));
    let shapes: Vec<String> = view.matrices.iter().map(|m| format!("{} [{}]", m.name, m.shape())).collect();
    let weights = find("weights").map(|m| {
        m.rows
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{}: [{}]", view.tokens.get(i).map_or("?", String::as_str), r.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(" ")))
            .collect::<Vec<_>>()
            .join("; ")
    });
    let answers: Vec<String> = view.answers.iter().zip(&view.expected).map(|(a, e)| format!("“{a}” (right: “{e}”)")).collect();
    format!(
        "Head 1 on “{}”, every matrix with its shape: {}. Softmax weights, row by row (each sums to 1): {}. The model answers {}.",
        view.tokens.concat(),
        shapes.join(", "),
        weights.unwrap_or_default(),
        answers.join(" and ")
    )
}
