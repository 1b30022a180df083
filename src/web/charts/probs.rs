//! The ten class probabilities for the drawn digit, as bars with their values.

use super::{BLUE, ORANGE};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, probs: &[f32]) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let best = probs.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i);
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(22)
            .y_label_area_size(34)
            .build_cartesian_2d((0..probs.len().max(1) as i32 - 1).into_segmented(), 0f32..1.1)?;
        chart.configure_mesh().disable_x_mesh().y_labels(3).x_desc("digit").draw()?;
        chart.draw_series(probs.iter().enumerate().map(|(i, p)| {
            let color = if Some(i) == best { ORANGE } else { BLUE };
            let mut bar = Rectangle::new([(SegmentValue::Exact(i as i32), 0.0), (SegmentValue::Exact(i as i32 + 1), *p)], color.filled());
            bar.set_margin(0, 0, 3, 3);
            bar
        }))?;
        chart.draw_series(probs.iter().enumerate().filter(|(_, p)| **p >= 0.01).map(|(i, p)| {
            Text::new(format!("{:.0}%", p * 100.0), (SegmentValue::Exact(i as i32), p + 0.07), ("sans-serif", 10).into_font())
        }))?;
        root.present()?;
        Ok(())
    })();
    match best {
        Some(b) if probs.iter().any(|p| *p > 0.0) => {
            let all: Vec<String> = probs.iter().enumerate().map(|(i, p)| format!("{i}: {:.1}%", p * 100.0)).collect();
            format!("The network reads a {b} ({:.1}%). All ten: {}.", probs[b] * 100.0, all.join(", "))
        }
        _ => "Draw a digit in the black box: the ten probabilities appear here.".into(),
    }
}
