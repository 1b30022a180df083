//! Attention weights on the user's text: a heatmap per head, queries down and
//! keys across, both labelled with the letters.

use super::BLUE;
use crate::labs::attention::AttentionView;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// White for 0, full blue for 1.
fn shade(w: f32) -> RGBColor {
    let w = w.clamp(0.0, 1.0);
    let mix = |c: u8| (255.0 - (255.0 - c as f32) * w) as u8;
    RGBColor(mix(BLUE.0), mix(BLUE.1), mix(BLUE.2))
}

pub fn draw(canvas: &HtmlCanvasElement, view: &AttentionView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let n_heads = view.heads.len().max(1);
    // One row of heatmaps up to four heads; eight go in two rows.
    let cols = n_heads.min(4);
    let rows = n_heads.div_ceil(cols);
    let t = view.tokens.len().max(1) as i32;
    let (w, h) = root.dim_in_pixel();
    let (pw, ph) = (w as i32 / cols as i32, h as i32 / rows as i32);
    let label = 12;
    let cell = ((pw - label - 8).min(ph - label - 18) / t).clamp(2, 40);
    for (k, weights) in view.heads.iter().enumerate() {
        let (ox, oy) = ((k % cols) as i32 * pw, (k / cols) as i32 * ph);
        let font = ("monospace", cell.clamp(7, 14)).into_font();
        let _ = root.draw(&Text::new(format!("head {}", k + 1), (ox + 2, oy + 1), ("sans-serif", 11).into_font()));
        let (gx, gy) = (ox + label, oy + 14 + label);
        for (j, tok) in view.tokens.iter().enumerate() {
            let _ = root.draw(&Text::new(tok.clone(), (gx + j as i32 * cell + cell / 3, oy + 14), font.clone()));
            let _ = root.draw(&Text::new(tok.clone(), (ox + 2, gy + j as i32 * cell + cell / 4), font.clone()));
        }
        for (i, row) in weights.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let (x, y) = (gx + j as i32 * cell, gy + i as i32 * cell);
                let _ = root.draw(&Rectangle::new([(x, y), (x + cell, y + cell)], shade(*v).filled()));
            }
        }
    }
    let _ = root.present();
    let text: String = view.tokens.concat();
    let mut parts = vec![format!("Queries down, keys across, on “{text}”")];
    for (k, weights) in view.heads.iter().enumerate() {
        let looks: Vec<String> = weights
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let (j, w) = row.iter().enumerate().fold((0, f32::MIN), |best, (j, w)| if *w > best.1 { (j, *w) } else { best });
                format!("{}→{} {w:.2}", view.tokens.get(i).map_or("?", String::as_str), view.tokens.get(j).map_or("?", String::as_str))
            })
            .collect();
        let focus = view.focus.get(k).map(|f| format!(" (on held-out strings: {:.0} % of its weight on the mirror position, {:.0} % on the previous)", 100.0 * f.mirror, 100.0 * f.previous)).unwrap_or_default();
        parts.push(format!("head {} strongest: {}{focus}", k + 1, looks.join(", ")));
    }
    let answers: Vec<String> = view.answers.iter().zip(&view.expected).map(|(a, e)| format!("“{a}” (right: “{e}”)")).collect();
    parts.push(format!("The model answers {}", answers.join(" and ")));
    format!("{}.", parts.join(". "))
}
