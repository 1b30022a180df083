//! The size of the gradient that reaches the input k steps before the question,
//! relative to the one at the question itself, a line per model, on a log
//! scale: vanishing gradients made visible.

use super::model_colour;
use crate::labs::recall::RecallView;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, view: &RecallView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    // Each model's curve is divided by its own value at k = 0: a trained model's
    // loss, and so all its gradients, can be tiny; the share that survives is the point.
    let relative = |m: &crate::labs::recall::ModelResult| -> Vec<f32> {
        let first = m.grad_norms.first().copied().unwrap_or(1.0).max(1e-30);
        m.grad_norms.iter().map(|g| g / first).collect()
    };
    let log = |v: f32| v.max(1e-30).log10();
    let all: Vec<f32> = view.models.iter().flat_map(relative).filter(|v| v.is_finite() && *v > 0.0).map(log).collect();
    let lo = all.iter().copied().fold(f32::INFINITY, f32::min).min(-1.0).floor();
    let hi = all.iter().copied().fold(f32::NEG_INFINITY, f32::max).max(lo + 1.0).ceil();
    let k_max = view.models.iter().map(|m| m.grad_norms.len()).max().unwrap_or(1).max(2) - 1;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root).margin(10).x_label_area_size(30).y_label_area_size(62).build_cartesian_2d(0f32..k_max as f32, lo..hi)?;
        chart.configure_mesh().x_desc("k: steps before the question").y_desc("share of k = 0").y_label_formatter(&|v| format!("1e{v:.0}")).x_labels(6).y_labels(6).draw()?;
        for (k, m) in view.models.iter().enumerate() {
            let colour = model_colour(k);
            let points: Vec<(f32, f32)> = relative(m).iter().enumerate().filter(|(_, v)| v.is_finite() && **v > 0.0).map(|(i, v)| (i as f32, log(*v))).collect();
            chart.draw_series(LineSeries::new(points, colour.stroke_width(2)))?.label(m.name.clone()).legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], colour.stroke_width(2)));
        }
        chart.configure_series_labels().position(SeriesLabelPosition::LowerLeft).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        root.present()?;
        Ok(())
    })();
    let lines: Vec<String> = view
        .models
        .iter()
        .filter(|m| !m.grad_norms.is_empty())
        .map(|m| {
            let r = relative(m);
            // An exact 0 is an f32 underflow: the gradient is below 1e-38 there.
            let at = |k: usize| r.get(k).map_or("–".to_string(), |v| if *v == 0.0 { "under 1e-38".into() } else { format!("{v:.1e}") });
            let last = r.len() - 1;
            format!("{} keeps {} of it at k=10 and {} at k={last}, the key itself (|∂loss/∂input| at k=0: {:.1e})", m.name, at(10), at(last), m.grad_norms[0])
        })
        .collect();
    if lines.is_empty() {
        return "The gradient sizes appear after the first scoring.".into();
    }
    format!("Mean size of ∂loss/∂input k steps before the question, as a share of its size at the question (sequences of 101 tokens, the key first; log scale). {}.", lines.join("; "))
}
