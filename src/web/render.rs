//! Draws a lab's latest snapshot: metrics table, progress, charts and note.

use super::charts;
use super::dom::set_text;
use super::page::{self, LabUi};
use crate::event::{Snapshot, View};
use crate::labs::mnist::TestReport;
use crate::labs::ChartSpec;
use std::collections::BTreeMap;

pub fn render(ui: &LabUi, snap: &Snapshot, series: &BTreeMap<String, Vec<(u32, f32)>>, report: Option<&TestReport>, probs: &[f32]) {
    for (name, value) in &snap.metrics {
        set_text(&page::metric_cell(&ui.metrics, name), &format_metric(name, *value));
    }
    let frac = if snap.total_steps > 0 { snap.step as f64 / snap.total_steps as f64 } else { 0.0 };
    let _ = ui.progress.set_attribute("value", &format!("{frac:.4}"));
    let _ = ui.progress.set_attribute("max", "1");
    set_text(&ui.progress_text, &format!("step {} of {}", snap.step, snap.total_steps));
    for (spec, chart) in &ui.charts {
        let caption = match (spec, &snap.view) {
            (ChartSpec::Curve { series: name, unit_range, .. }, _) => {
                let points = series.get(*name).map(Vec::as_slice).unwrap_or(&[]);
                charts::curve::draw(&chart.canvas, name, points, unit_range.then_some((0.0, 1.05)))
            }
            (ChartSpec::Boundary, View::Perceptron(view)) => charts::boundary::draw(&chart.canvas, view),
            (ChartSpec::Weights, View::Perceptron(view)) => charts::weights::draw(&chart.canvas, &view.weights),
            (ChartSpec::Confusion, _) => match report {
                Some(r) => charts::confusion::draw(&chart.canvas, r),
                None => "The confusion matrix appears after the first pass over the test set.".into(),
            },
            (ChartSpec::Misclassified, _) => match report {
                Some(r) => charts::misses::draw(&chart.canvas, r),
                None => "Wrongly classified test digits appear after the first pass over the test set.".into(),
            },
            (ChartSpec::Sketch, _) => charts::probs::draw(&chart.canvas, probs),
            (ChartSpec::Neighbours, View::Word2vec(view)) => charts::neighbours::draw(&chart.canvas, &view.queries),
            (ChartSpec::Sample, View::CharLm(view)) => charts::sample::draw(&chart.canvas, view.sample.as_ref()),
            (ChartSpec::Report, View::Report(view)) => charts::report::draw(&chart.canvas, view),
            (ChartSpec::Report, View::Recall(view)) => charts::comparison::draw(&chart.canvas, view),
            (ChartSpec::Distance, View::Recall(view)) => charts::distance::draw(&chart.canvas, view),
            (ChartSpec::GradFlow, View::Recall(view)) => charts::gradflow::draw(&chart.canvas, view),
            (ChartSpec::Heatmap, View::Attention(view)) => charts::heatmap::draw(&chart.canvas, view),
            (ChartSpec::Matrices, View::Attention(view)) => charts::matrices::draw(&chart.canvas, view),
            (ChartSpec::Scatter, View::Projection(view)) => charts::scatter::draw(&chart.canvas, view),
            (ChartSpec::Verdict, View::Sentiment(view)) => charts::verdict::draw(&chart.canvas, view.verdict.as_ref()),
            (ChartSpec::Regions, View::Backprop(view)) => charts::regions::draw(&chart.canvas, view),
            (ChartSpec::Gradients, View::Backprop(view)) => {
                // The bars are the same picture as Day 1's weights; the caption lists every gradient.
                let _ = charts::weights::draw(&chart.canvas, &view.grads);
                let all: Vec<String> = view.grads.iter().map(|(n, g)| format!("{n} {g:+.2e}")).collect();
                format!("Gradients on the last batch: {}.", all.join(", "))
            }
            _ => continue,
        };
        set_text(&chart.caption, &caption);
    }
    let note = match &snap.view {
        View::Perceptron(view) => view.note.clone(),
        View::Mnist(view) => view.note.clone(),
        View::Backprop(view) => view.note.clone(),
        View::Word2vec(view) => view.note.clone(),
        View::Sentiment(view) => view.note.clone(),
        View::Projection(view) => view.note.clone(),
        View::Report(view) => view.note.clone(),
        View::CharLm(view) => view.note.clone(),
        View::Recall(view) => view.note.clone(),
        View::Attention(view) => view.note.clone(),
        View::Bench(b) => format!(
            "GPT-{}: {} parameters, batch {} × {} tokens. {} warm-up steps, then {} repetitions of {} timed steps; step_ms is the median of the repetitions' medians.",
            b.size.to_uppercase(),
            b.params,
            b.batch,
            b.block,
            b.warmup,
            b.reps,
            b.timed_per_rep
        ),
    };
    set_text(&ui.note, &note);
}

/// Metrics as plain numbers, so that tests and people can read them.
pub fn format_metric(name: &str, value: f64) -> String {
    match name {
        "step" => format!("{value:.0}"),
        "steps_per_sec" => format!("{value:.1}"),
        // Small numbers (errors, rates) keep their digits: 9.22e-5, not 0.0001.
        _ if value != 0.0 && value.abs() < 1e-3 => format!("{value:.2e}"),
        _ => format!("{value:.4}"),
    }
}
