//! A sample from the character model, with heatmaps of its states: one row per
//! sampled character (labelled), one column per hidden unit.

use crate::labs::char_lm::Sample;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Blue for negative, white for 0, orange for positive (gates run 0–1: white to orange).
fn shade(v: f32) -> RGBColor {
    let v = v.clamp(-1.0, 1.0);
    let mix = |to: f32, k: f32| (255.0 + (to - 255.0) * k) as u8;
    if v >= 0.0 { RGBColor(mix(234.0, v), mix(88.0, v), mix(12.0, v)) } else { RGBColor(mix(37.0, -v), mix(99.0, -v), mix(235.0, -v)) }
}

pub fn draw(canvas: &HtmlCanvasElement, sample: Option<&Sample>) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let Some(s) = sample else {
        let _ = root.present();
        return "A sample appears after the first steps.".into();
    };
    let (w, h) = root.dim_in_pixel();
    let panels = root.split_evenly((1, s.maps.len().max(1)));
    let chars: Vec<char> = s.text.chars().collect();
    for (panel, (name, rows)) in panels.iter().zip(&s.maps) {
        let n_rows = rows.len().max(1);
        let n_cols = rows.first().map_or(1, Vec::len).max(1);
        let top = 14;
        let cell_h = ((h as i32 - top) / n_rows as i32).max(1);
        let cell_w = ((w as i32 / s.maps.len().max(1) as i32 - 12) / n_cols as i32).max(1);
        let _ = panel.draw(&Text::new(name.clone(), (2, 0), ("sans-serif", 10).into_font()));
        let first = chars.len().saturating_sub(n_rows);
        for (r, row) in rows.iter().enumerate() {
            let y = top + r as i32 * cell_h;
            let c = chars.get(first + r).copied().unwrap_or(' ');
            let label = if c == '\n' { "⏎".to_string() } else { c.to_string() };
            let _ = panel.draw(&Text::new(label, (0, y), ("monospace", cell_h.clamp(6, 10)).into_font()));
            for (k, v) in row.iter().enumerate() {
                let x = 10 + k as i32 * cell_w;
                let _ = panel.draw(&Rectangle::new([(x, y), (x + cell_w, y + cell_h)], shade(*v).filled()));
            }
        }
    }
    let _ = root.present();
    let shown = s.maps.first().map_or(0, |m| m.1.len());
    format!("Sample at step {} (newlines as ⏎): “{}”. Heatmaps: the last {shown} characters down, the first units across.", s.step, s.text.replace('\n', "⏎"))
}
