//! Day 14's report: time per step and steps to 90 % for each model, as bars,
//! with the whole table in the caption.

use super::model_colour;
use crate::labs::recall::RecallView;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, view: &RecallView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let halves = root.split_evenly((1, 2));
    let measures: [(&str, Box<dyn Fn(&crate::labs::recall::ModelResult) -> f32>); 2] = [
        ("ms per step", Box::new(|m| m.ms_per_step as f32)),
        ("steps to 90 %", Box::new(|m| m.steps_to_90.map_or(m.steps as f32, |s| s as f32))),
    ];
    for (area, (title, value)) in halves.iter().zip(measures.iter()) {
        let top = view.models.iter().map(|m| value(m)).fold(1e-6f32, f32::max) * 1.2;
        let n = view.models.len().max(1) as f32;
        let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
            let mut chart = ChartBuilder::on(area).margin(8).caption(*title, ("sans-serif", 12)).x_label_area_size(22).y_label_area_size(40).build_cartesian_2d(0f32..n, 0f32..top)?;
            let names: Vec<String> = view.models.iter().map(|m| m.name.clone()).collect();
            chart.configure_mesh().disable_x_mesh().x_labels(view.models.len() + 1).x_label_formatter(&|x| names.get(x.floor() as usize).cloned().unwrap_or_default()).y_labels(5).draw()?;
            for (k, m) in view.models.iter().enumerate() {
                let v = value(m);
                let x0 = k as f32 + 0.15;
                chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + 0.7, v)], model_colour(k).filled())))?;
                let label = if *title == "steps to 90 %" && m.steps_to_90.is_none() { format!(">{v:.0}") } else { format!("{v:.1}") };
                chart.draw_series(std::iter::once(Text::new(label, (x0, v + top * 0.06), ("sans-serif", 10).into_font())))?;
            }
            Ok(())
        })();
    }
    let _ = root.present();
    let table = view.table();
    let rows: Vec<String> = table.iter().skip(1).map(|r| table[0].iter().zip(r).skip(1).fold(r[0].clone(), |acc, (h, v)| format!("{acc}, {h} {v}"))).collect();
    format!("{}.", rows.join("; "))
}
