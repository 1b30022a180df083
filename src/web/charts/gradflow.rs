//! The size of the gradient that reaches the input k steps before the question,
//! a line per model, on a log scale: vanishing gradients made visible.

use super::model_colour;
use crate::labs::recall::RecallView;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, view: &RecallView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let log = |v: f32| v.max(1e-30).log10();
    let all: Vec<f32> = view.models.iter().flat_map(|m| m.grad_norms.iter().copied()).filter(|v| v.is_finite() && *v > 0.0).map(log).collect();
    let lo = all.iter().copied().fold(f32::INFINITY, f32::min).min(-1.0).floor();
    let hi = all.iter().copied().fold(f32::NEG_INFINITY, f32::max).max(lo + 1.0).ceil();
    let k_max = view.models.iter().map(|m| m.grad_norms.len()).max().unwrap_or(1).max(2) - 1;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root).margin(10).x_label_area_size(30).y_label_area_size(48).build_cartesian_2d(0f32..k_max as f32, lo..hi)?;
        chart.configure_mesh().x_desc("k: steps before the question").y_desc("gradient size").y_label_formatter(&|v| format!("1e{v:.0}")).x_labels(6).y_labels(6).draw()?;
        for (k, m) in view.models.iter().enumerate() {
            let colour = model_colour(k);
            let points = m.grad_norms.iter().enumerate().filter(|(_, v)| v.is_finite() && **v > 0.0).map(|(i, v)| (i as f32, log(*v)));
            chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?.label(m.name.clone()).legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], colour.stroke_width(2)));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::UpperRight).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        root.present()?;
        Ok(())
    })();
    let lines: Vec<String> = view
        .models
        .iter()
        .filter(|m| !m.grad_norms.is_empty())
        .map(|m| {
            let at = |k: usize| m.grad_norms.get(k).map_or("–".to_string(), |v| format!("{v:.1e}"));
            let last = m.grad_norms.len() - 1;
            format!("{}: {} at k=0, {} at k=10, {} at k={last}", m.name, at(0), at(10), at(last))
        })
        .collect();
    if lines.is_empty() {
        return "The gradient sizes appear after the first scoring.".into();
    }
    format!("Mean size of ∂loss/∂input at k steps before the question (key at the longest distance), log scale. {}.", lines.join("; "))
}
