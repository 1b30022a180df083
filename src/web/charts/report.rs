//! The comparison report: test accuracy and nearest-neighbour agreement of each
//! model side by side, every number in the caption.

use super::{BLUE, ORANGE};
use crate::labs::onehot_vs_embed::ReportView;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, view: &ReportView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let measures = ["test accuracy", "NN agreement"];
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root).margin(8).x_label_area_size(24).y_label_area_size(34).build_cartesian_2d(0f32..2.0, 0f32..1.1)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(2)
            .x_label_formatter(&|x| measures.get(*x as usize).map(|s| s.to_string()).unwrap_or_default())
            .y_labels(6)
            .draw()?;
        for (m, _) in measures.iter().enumerate() {
            for (k, c) in view.columns.iter().enumerate() {
                let v = if m == 0 { c.test_accuracy } else { c.nn_agreement };
                let v = if v.is_finite() { v } else { 0.0 };
                let x0 = m as f32 + 0.15 + 0.35 * k as f32;
                let colour = if k == 0 { BLUE } else { ORANGE };
                chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + 0.3, v)], colour.filled())))?;
                chart.draw_series(std::iter::once(Text::new(format!("{v:.3}"), (x0, v + 0.06), ("sans-serif", 11).into_font())))?;
            }
        }
        root.present()?;
        Ok(())
    })();
    let rows: Vec<String> = view
        .columns
        .iter()
        .map(|c| {
            format!(
                "{} — test accuracy {:.4}, {} parameters, {:.1} s of training, nearest-neighbour agreement {:.2} ({})",
                c.name,
                c.test_accuracy,
                c.params,
                c.train_seconds,
                c.nn_agreement,
                c.examples.join(", ")
            )
        })
        .collect();
    format!("Blue: {}; orange: {}. {}.", view.columns.first().map_or("", |c| c.name.as_str()), view.columns.get(1).map_or("", |c| c.name.as_str()), rows.join("; "))
}
