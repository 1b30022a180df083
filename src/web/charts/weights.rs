//! Every weight and bias as a horizontal bar, with its value.

use super::{BLUE, ORANGE};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Beyond this many parameters the bars get no value labels.
const LABELLED: usize = 20;

pub fn draw(canvas: &HtmlCanvasElement, weights: &[(String, f32)]) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let n = weights.len().max(1) as f32;
    let m = weights.iter().map(|(_, v)| v.abs()).fold(0.0f32, f32::max).max(1e-3) * 1.15;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(56)
            .build_cartesian_2d(-m..m, 0f32..n)?;
        let names: Vec<String> = weights.iter().map(|(k, _)| k.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(weights.len().min(LABELLED))
            .y_label_formatter(&|y| names.get((n - 0.5 - *y).round() as usize).cloned().unwrap_or_default())
            .x_labels(5)
            .draw()?;
        chart.draw_series(weights.iter().enumerate().map(|(i, (_, v))| {
            let top = n - i as f32;
            let color = if *v >= 0.0 { ORANGE } else { BLUE };
            Rectangle::new([(0.0, top - 0.15), (*v, top - 0.85)], color.filled())
        }))?;
        if weights.len() <= LABELLED {
            chart.draw_series(weights.iter().enumerate().map(|(i, (_, v))| {
                let x = if *v >= 0.0 { -m * 0.95 } else { m * 0.45 };
                Text::new(format!("{v:+.3}"), (x, n - i as f32 - 0.3), ("sans-serif", 11).into_font())
            }))?;
        }
        root.present()?;
        Ok(())
    })();
    let shown: Vec<String> = weights.iter().take(8).map(|(k, v)| format!("{k} {v:+.3}")).collect();
    let more = if weights.len() > 8 { format!(" … ({} in all)", weights.len()) } else { String::new() };
    format!("Weights: {}{more}", shown.join(", "))
}
