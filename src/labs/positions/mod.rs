//! Day 20: how a transformer knows where a token is. Four GPTs that differ
//! only in their positions (none, learned, sinusoidal, RoPE) learn the same
//! batches: text, and a probe that needs position (copy the digit a few places
//! back). Then the probe at twice the training length, where learned
//! positions have nothing trained to offer.

use crate::backend::Workload;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Line, Lines, Plot};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::PositionsLab;

/// The four kinds, in the order of every figure: their metric prefixes.
pub const KINDS: [&str; 4] = ["none", "learned", "sinusoidal", "rope"];

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "Attention by itself is blind to order: shuffle the keys and values and each query gets the same answer. A causal mask gives a little away (a position can count how many came before it), but a transformer is usually told where each token is. Four ways, trained side by side here on the same batches from the same starting weights: no positions at all; a learned vector per position added to the token (GPT-2); fixed sines and cosines of many frequencies added (the 2017 transformer); and RoPE, which rotates each query and key by an angle that grows with its position, so that their dot product depends only on how far apart they are.",
        "Half of each batch is text (held-out sentences measure it). The other half is a probe that needs position: a row of random digits, and at every position the answer is the digit a few places back (\"_\" for the first few, which have none). Copying needs relative position; the blanks need to know where the row starts.",
        "Then every model reads probe rows twice as long as any it trained on. Learned positions have no trained vector for the second half (those rows of the table are still their random start); sinusoidal positions are defined there but never seen; RoPE's rotations at a given distance are the same wherever they happen.",
    ],
    settings: &[
        Setting { key: "layers", label: "Blocks", help: "Transformer blocks in each model.", kind: Kind::Int { min: 1, max: 4 }, default: "2" },
        Setting { key: "width", label: "Width C", help: "Size of each position's vector.", kind: Kind::Choice(&["16", "32", "64"]), default: "32" },
        Setting { key: "heads", label: "Heads", help: "Attention heads per block.", kind: Kind::Choice(&["1", "2", "4"]), default: "2" },
        Setting { key: "context", label: "Context", help: "Training length T; the long probe reads 2T.", kind: Kind::Int { min: 8, max: 64 }, default: "32" },
        Setting { key: "lag", label: "Lag", help: "The probe's answer is the digit this many places back.", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        Setting { key: "lr", label: "Learning rate", help: "Adam's step size, for all four.", kind: Kind::Float { min: 1e-5, max: 0.1 }, default: "0.005" },
        Setting { key: "steps", label: "Steps", help: "Optimizer steps; all four take each one on the same batch.", kind: Kind::Int { min: 1, max: 20_000 }, default: "1000" },
    ],
    presets: &[
        Preset { name: "Lag 3", values: &[("lag", "3"), ("context", "32"), ("steps", "1000")] },
        Preset { name: "Lag 6, longer", values: &[("lag", "6"), ("context", "32"), ("steps", "2000")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::plot("val_loss", "Held-out text loss, all four"),
        FigureSpec::plot("probe", "Probe accuracy at the training length, all four"),
        FigureSpec::wide("by_position", "Probe accuracy by position, on rows twice the training length"),
        FigureSpec::plot("summary", "At the training length and beyond it"),
    ],
    data: no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &["layers", "width", "context", "lag", "steps"],
};

/// The page's picture of the lab, read at an evaluation.
#[derive(Clone, Debug, Default)]
pub struct PositionsView {
    pub context: usize,
    pub lag: usize,
    /// Per kind: (step, held-out text loss) and (step, probe accuracy) at each evaluation.
    pub val_history: [Vec<(f32, f32)>; 4],
    pub probe_history: [Vec<(f32, f32)>; 4],
    /// Per kind: accuracy at each position of the 2T-long probe rows.
    pub by_position: [Vec<f32>; 4],
}

impl PositionsView {
    /// Per kind: mean probe accuracy over the training length.
    pub fn probe_accuracy(&self, k: usize) -> f32 {
        self.probe_history[k].last().map_or(0.0, |p| p.1)
    }

    /// Per kind: mean accuracy over positions T+1..2T of the long rows.
    pub fn long_accuracy(&self, k: usize) -> f32 {
        let beyond = self.by_position[k].get(self.context..).unwrap_or(&[]);
        beyond.iter().sum::<f32>() / beyond.len().max(1) as f32
    }

    pub fn val_loss(&self, k: usize) -> f32 {
        self.val_history[k].last().map_or(f32::NAN, |p| p.1)
    }

    pub fn figures(&self) -> Vec<Figure> {
        if self.by_position[0].is_empty() {
            return ["val_loss", "probe", "by_position", "summary"].iter().map(|n| Figure::empty(n, "Appears at the first evaluation.")).collect();
        }
        let lines = |h: &[Vec<(f32, f32)>; 4]| KINDS.iter().zip(h).map(|(name, p)| Line { name: name.to_string(), points: p.clone() }).collect();
        let numbers = |f: &dyn Fn(usize) -> f32, digits: usize| KINDS.iter().enumerate().map(|(k, n)| format!("{n} {:.*}", digits, f(k))).collect::<Vec<_>>().join(", ");
        let val = Lines { lines: lines(&self.val_history), x_desc: "step".into(), y_desc: "held-out loss (nats per character)".into(), y_range: None, log_y: false, reference: None, markers: false };
        let probe = Lines { lines: lines(&self.probe_history), x_desc: "step".into(), y_desc: "accuracy".into(), y_range: Some((0.0, 1.0)), log_y: false, reference: Some(0.1), markers: false };
        let by_position = KINDS.iter().zip(&self.by_position).map(|(name, acc)| Line { name: name.to_string(), points: acc.iter().enumerate().map(|(i, a)| ((i + 1) as f32, *a)).collect() }).collect();
        let by_position = Lines { lines: by_position, x_desc: format!("position in the row (trained up to {})", self.context), y_desc: "accuracy".into(), y_range: Some((0.0, 1.0)), log_y: false, reference: Some(0.1), markers: false };
        let (t, lag) = (self.context, self.lag);
        let series = vec![
            BarSeries { name: format!("positions 1–{t} (trained length)"), values: (0..4).map(|k| self.probe_accuracy(k)).collect(), labels: (0..4).map(|k| format!("{:.2}", self.probe_accuracy(k))).collect() },
            BarSeries { name: format!("positions {}–{} (never trained)", t + 1, 2 * t), values: (0..4).map(|k| self.long_accuracy(k)).collect(), labels: (0..4).map(|k| format!("{:.2}", self.long_accuracy(k))).collect() },
        ];
        let panel = BarPanel { title: String::new(), x_desc: "positions".into(), categories: KINDS.iter().map(|n| n.to_string()).collect(), series, y_max: 1.15, colour_by_category: false, highlight: None, cutoff: None };
        vec![
            Figure::new("val_loss", Plot::Lines(val), format!("Held-out text loss: {}.", numbers(&|k| self.val_loss(k), 3))),
            Figure::new("probe", Plot::Lines(probe), format!("Copying the digit {lag} places back, on held-out rows of {t}: {}. A guess among the 10 digits gets 0.1 (grey).", numbers(&|k| self.probe_accuracy(k), 3))),
            Figure::new("by_position", Plot::Lines(by_position), format!("Accuracy at each position of rows of {} digits; the models trained on rows of {t}. Positions 1–{lag} must answer “_”. Beyond position {t}: {}.", 2 * t, numbers(&|k| self.long_accuracy(k), 3))),
            Figure::new("summary", Plot::Bars(Bars { panels: vec![panel] }), format!("Probe accuracy at the training length and on the never-trained second half of rows of {}: {}.", 2 * t, numbers(&|k| self.long_accuracy(k), 2))),
        ]
    }
}
