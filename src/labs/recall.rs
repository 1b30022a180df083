//! Days 10 and 14: models side by side on the recall task (`data::sequences`),
//! where the answer is a key seen D steps before the question.

use crate::backend::Workload;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Line, Lines, Plot, Table};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
use serde::{Deserialize, Serialize};

const SETTINGS: &[Setting] = &[
    Setting { key: "max_distance", label: "Longest distance D", help: "Sequences are D + 1 tokens long; training mixes every distance from 1 to D.", kind: Kind::Int { min: 2, max: 200 }, default: "50" },
    Setting { key: "hidden", label: "Hidden units", help: "Size of the RNN's and the LSTM's state, and the attention model's width.", kind: Kind::Int { min: 4, max: 256 }, default: "32" },
    Setting { key: "batch", label: "Batch size", help: "Sequences per step.", kind: Kind::Int { min: 1, max: 256 }, default: "32" },
    Setting { key: "lr", label: "Learning rate", help: "Adam's step size, for every model.", kind: Kind::Float { min: 1e-5, max: 1.0 }, default: "0.01" },
    Setting { key: "clip", label: "Gradient clipping", help: "Largest gradient norm allowed (0 = off).", kind: Kind::Float { min: 0.0, max: 1000.0 }, default: "1" },
    Setting { key: "steps", label: "Steps per model", help: "Optimizer steps each model takes; they advance in turn.", kind: Kind::Int { min: 1, max: 20_000 }, default: "800" },
];

pub static RNN_VS_LSTM_SPEC: LabSpec = LabSpec {
    intro: &[
        "A sequence starts with a key letter (A–H), goes on with D − 1 noise symbols (0–7) and ends with a question mark; at the ? the model must say which key it saw, D steps earlier. Nothing in the recent past gives it away, so the task measures how far back a model can remember.",
        "The vanilla RNN and the LSTM of Days 8 and 9 train on the same batches, every distance from 1 to D mixed, and are then scored on fresh sequences at fixed distances. The second chart shows why the RNN falls behind: the size of the gradient of the loss that reaches the input k steps before the question. Through many tanh steps it shrinks geometrically (the vanishing gradient); the LSTM's cell state passes it on.",
    ],
    settings: SETTINGS,
    presets: &[
        Preset { name: "Distances up to 50", values: &[("max_distance", "50"), ("hidden", "32"), ("steps", "800")] },
        Preset { name: "Quick: up to 20", values: &[("max_distance", "20"), ("hidden", "32"), ("steps", "300")] },
        Preset { name: "Long: up to 100", values: &[("max_distance", "100"), ("hidden", "32"), ("steps", "1500")] },
    ],
    workload: Workload::Tiny,
    figures: &[FigureSpec::plot("distance", "Accuracy against distance"), FigureSpec::plot("gradflow", "Gradient reaching k steps back")],
    data: no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

pub static ATTENTION_VS_RNN_SPEC: LabSpec = LabSpec {
    intro: &[
        "The recall task of Day 10 once more, with a third contestant: one layer of self-attention (Day 11). The question mark's query can match the key's position directly, however far back it is, so its accuracy does not fall with distance, and it runs every position at once instead of one step after another.",
        "Every number in the report comes from the runs on this page: accuracy against distance, wall-clock time per training step, the steps each model needed to average 90 % over the distances, and the operations that must run one after another for one sequence. Press Export to save it as a standalone HTML file.",
    ],
    settings: SETTINGS,
    presets: &[
        Preset { name: "Distances up to 50", values: &[("max_distance", "50"), ("hidden", "32"), ("steps", "800")] },
        Preset { name: "Quick: up to 20", values: &[("max_distance", "20"), ("hidden", "32"), ("steps", "300")] },
    ],
    workload: Workload::Tiny,
    figures: &[FigureSpec::plot("distance", "Accuracy against distance"), FigureSpec::plot("report", "The report"), FigureSpec::table("table", "The report's numbers")],
    data: no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

/// The distances scored: a fixed ladder up to the longest, and the longest itself.
pub fn measured_distances(max: usize) -> Vec<usize> {
    let mut out: Vec<usize> = [1, 5, 10, 20, 30, 50, 75, 100, 150, 200].into_iter().filter(|d| *d < max).collect();
    out.push(max);
    out
}

/// One model's results.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ModelResult {
    /// `rnn`, `lstm` or `attention`: the prefix of its metrics.
    pub name: String,
    /// Accuracy at each of the view's distances (NaN before the first score).
    pub accuracy: Vec<f32>,
    /// Mean size of the gradient reaching the input k steps before the question,
    /// k = 0, 1, … 100 (recurrent models; attention up to its longest distance).
    pub grad_norms: Vec<f32>,
    pub steps: usize,
    pub ms_per_step: f64,
    /// First scored step at which the mean accuracy over the distances was ≥ 90 %.
    pub steps_to_90: Option<usize>,
    /// Operations that must run one after another for one sequence.
    pub sequential_ops: usize,
    pub params: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecallView {
    pub distances: Vec<usize>,
    pub models: Vec<ModelResult>,
    pub note: String,
}

impl RecallView {
    /// The report as a table: a header, then a row per model.
    pub fn table(&self) -> Table {
        let mut header = vec!["model".to_string()];
        header.extend(self.distances.iter().map(|d| format!("accuracy at D = {d}")));
        header.extend(["ms per step", "steps to 90 %", "sequential ops per sequence", "parameters"].map(String::from));
        let rows = self
            .models
            .iter()
            .map(|m| {
                let mut row = vec![m.name.clone()];
                row.extend(m.accuracy.iter().map(|a| if a.is_finite() { format!("{a:.3}") } else { "–".into() }));
                row.push(format!("{:.2}", m.ms_per_step));
                row.push(m.steps_to_90.map_or_else(|| format!("not within {}", m.steps), |s| s.to_string()));
                row.push(m.sequential_ops.to_string());
                row.push(m.params.to_string());
                row
            })
            .collect();
        Table { header, rows }
    }

    /// Accuracy against distance, then Day 10's gradient flow or Day 14's report.
    pub fn figures(&self, report: bool) -> Vec<Figure> {
        let mut out = vec![self.distance()];
        if report {
            let table = self.table();
            out.push(self.report(&table));
            out.push(Figure::new("table", Plot::Table(table), format!("{} models on the same sequences.", self.models.len())));
        } else {
            out.push(self.gradflow());
        }
        out
    }

    fn distance(&self) -> Figure {
        let lines = self
            .models
            .iter()
            .map(|m| Line { name: m.name.clone(), points: self.distances.iter().zip(&m.accuracy).filter(|(_, a)| a.is_finite()).map(|(d, a)| (*d as f32, *a)).collect() })
            .collect();
        let plot = Lines { lines, x_desc: "distance D (steps back)".into(), y_desc: "accuracy".into(), y_range: Some((0.0, 1.05)), log_y: false, reference: Some(0.125), markers: true };
        let lines: Vec<String> = self
            .models
            .iter()
            .map(|m| {
                let cells: Vec<String> = self.distances.iter().zip(&m.accuracy).map(|(d, a)| if a.is_finite() { format!("D={d} {a:.2}") } else { format!("D={d} –") }).collect();
                format!("{} (step {}): {}", m.name, m.steps, cells.join(", "))
            })
            .collect();
        Figure::new("distance", Plot::Lines(plot), format!("Accuracy against distance; grey line: chance (0.125). {}.", lines.join("; ")))
    }

    /// The gradient k steps back as a share of the one at the question: each
    /// model is divided by its own k = 0, since a trained model's loss, and so
    /// all its gradients, can be tiny; the share that survives is the point.
    fn gradflow(&self) -> Figure {
        let relative = |m: &ModelResult| -> Vec<f32> {
            let first = m.grad_norms.first().copied().unwrap_or(1.0).max(1e-30);
            m.grad_norms.iter().map(|g| g / first).collect()
        };
        let lines = self
            .models
            .iter()
            .map(|m| Line { name: m.name.clone(), points: relative(m).iter().enumerate().map(|(k, v)| (k as f32, *v)).collect() })
            .collect();
        let plot = Lines { lines, x_desc: "k: steps before the question".into(), y_desc: "share of k = 0".into(), y_range: None, log_y: true, reference: None, markers: false };
        let lines: Vec<String> = self
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
        let caption = if lines.is_empty() {
            "The gradient sizes appear after the first scoring.".to_string()
        } else {
            format!("Mean size of ∂loss/∂input k steps before the question, as a share of its size at the question (sequences of 101 tokens, the key first; log scale). {}.", lines.join("; "))
        };
        Figure::new("gradflow", Plot::Lines(plot), caption)
    }

    /// Time per step and steps to 90 % for each model, as bars.
    /// The caption lists `table`, the same numbers as the report's table figure.
    fn report(&self, table: &Table) -> Figure {
        let panel = |title: &str, value: &dyn Fn(&ModelResult) -> f32, label: &dyn Fn(&ModelResult, f32) -> String| BarPanel {
            title: title.to_string(),
            x_desc: String::new(),
            categories: self.models.iter().map(|m| m.name.clone()).collect(),
            series: vec![BarSeries {
                name: title.to_string(),
                values: self.models.iter().map(value).collect(),
                labels: self.models.iter().map(|m| label(m, value(m))).collect(),
            }],
            y_max: 0.0,
            colour_by_category: true,
            highlight: None,
            cutoff: None,
        };
        let ms = panel("ms per step", &|m| m.ms_per_step as f32, &|_, v| format!("{v:.1}"));
        let to_90 = panel("steps to 90 %", &|m| m.steps_to_90.map_or(m.steps as f32, |s| s as f32), &|m, v| if m.steps_to_90.is_none() { format!(">{v:.0}") } else { format!("{v:.1}") });
        let rows: Vec<String> = table.rows.iter().map(|r| table.header.iter().zip(r).skip(1).fold(r[0].clone(), |acc, (h, v)| format!("{acc}, {h} {v}"))).collect();
        Figure::new("report", Plot::Bars(Bars { panels: vec![ms, to_90] }), format!("{}.", rows.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_climb_to_the_longest() {
        assert_eq!(measured_distances(50), vec![1, 5, 10, 20, 30, 50]);
        assert_eq!(measured_distances(2), vec![1, 2]);
        assert_eq!(measured_distances(64), vec![1, 5, 10, 20, 30, 50, 64]);
    }

    #[test]
    fn the_table_has_a_row_per_model() {
        let m = ModelResult { name: "rnn".into(), accuracy: vec![1.0, f32::NAN], grad_norms: vec![], steps: 10, ms_per_step: 1.234, steps_to_90: None, sequential_ops: 21, params: 100 };
        let view = RecallView { distances: vec![1, 20], models: vec![m], note: String::new() };
        let t = view.table();
        assert_eq!(t.header.len(), t.rows[0].len());
        assert_eq!(t.rows[0], vec!["rnn", "1.000", "–", "1.23", "not within 10", "21", "100"]);
    }
}
