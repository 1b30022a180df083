//! Days 11–13: self-attention from scratch, its heatmaps, and several heads, on
//! letter tasks where attention has to find the right position.

use crate::backend::Workload;
use crate::figure::{Figure, FigureSpec, Heatmap, Heatmaps, Plot, Scale};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
use serde::{Deserialize, Serialize};

const TEXT: Setting = Setting { key: "text", label: "Your text", help: "Letters a–z and spaces, read by the model while it trains (cut or padded with _ to the length).", kind: Kind::Text { max: 64 }, default: "hello" };
const LEN: Setting = Setting { key: "len", label: "Length", help: "Letters per sequence.", kind: Kind::Int { min: 2, max: 16 }, default: "5" };
const D_MODEL: Setting = Setting { key: "d_model", label: "Width", help: "Size of each letter's vector, and of Q, K and V.", kind: Kind::Int { min: 2, max: 128 }, default: "16" };
/// A gentle default: the weights settle over a few hundred steps, slowly enough to watch.
const LR: Setting = Setting { key: "lr", label: "Learning rate", help: "Adam's step size.", kind: Kind::Float { min: 1e-5, max: 1.0 }, default: "0.003" };
const BATCH: Setting = Setting { key: "batch", label: "Batch size", help: "Random strings per step.", kind: Kind::Int { min: 1, max: 512 }, default: "64" };
const STEPS: Setting = Setting { key: "steps", label: "Steps", help: "Optimizer steps.", kind: Kind::Int { min: 1, max: 50_000 }, default: "400" };

const fn with_default(s: Setting, default: &'static str) -> Setting {
    Setting { default, ..s }
}

pub static ATTENTION_SPEC: LabSpec = LabSpec {
    intro: &[
        "Self-attention lets every position look at every other one and take what it needs. Each letter's vector x is multiplied by three weight matrices of its own: a query q = x·W_q (what am I looking for?), a key k = x·W_k (what do I offer?) and a value v = x·W_v (what do I pass on?).",
        "The score of query i against key j is q_i·k_j / √d; a softmax over j turns each row of scores into weights that sum to 1, and the output at i is the weighted sum of the values. Everything is written out in src/models/self_attention.rs and checked against a plain loop.",
        "The task: write the string backwards. Position i must find the letter at position T−1−i, which only attention over positions can do. Below, every matrix for your text, with its shape, as the model trains.",
    ],
    settings: &[TEXT, LEN, D_MODEL, LR, BATCH, STEPS],
    presets: &[
        Preset { name: "Reverse 5 letters, width 16", values: &[("len", "5"), ("d_model", "16"), ("steps", "400")] },
        Preset { name: "Tiny: width 4 (every number readable)", values: &[("len", "4"), ("d_model", "4"), ("steps", "800"), ("text", "abcd")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::curve("loss", "Loss per step"),
        FigureSpec::share("accuracy", "Accuracy on held-out strings"),
        FigureSpec::wide("matrices", "Q, K, V, scores, weights and output for your text"),
    ],
    data: no_data,
    live: &["text"],
    takes: Takes::NOTHING,
    basic: &[],
};

pub static ATTENTION_MAP_SPEC: LabSpec = LabSpec {
    intro: &[
        "The attention weights as a picture: one row per query (the letter asking), one column per key (the letter looked at), darker where the weight is larger. Type a word and watch where each letter looks while a one-layer model learns to reverse strings.",
        "At first the weights are spread almost evenly. As training goes on, each row concentrates on its mirror position and the picture becomes an anti-diagonal: the model has found, by gradient descent alone, where to look.",
    ],
    settings: &[with_default(TEXT, "sentence"), with_default(LEN, "8"), with_default(D_MODEL, "32"), LR, BATCH, with_default(STEPS, "600")],
    presets: &[
        Preset { name: "Reverse 8 letters", values: &[("len", "8"), ("d_model", "32"), ("steps", "600")] },
        Preset { name: "Reverse 12 letters", values: &[("len", "12"), ("d_model", "48"), ("steps", "1200"), ("text", "hello world")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::wide("heatmap", "Attention weights on your text"),
        FigureSpec::curve("loss", "Loss per step"),
        FigureSpec::share("accuracy", "Accuracy on held-out strings"),
    ],
    data: no_data,
    live: &["text"],
    takes: Takes::NOTHING,
    basic: &[],
};

pub static MULTIHEAD_SPEC: LabSpec = LabSpec {
    intro: &[
        "Multi-head attention splits the width into several heads, each with its own slice of Q, K and V, so that each can attend somewhere different; their outputs are put side by side and mixed by W_o.",
        "Here every position has two answers to give: the letter at its mirror position (the string reversed) and the letter just before it. One head cannot look at both places at once. With several, heads specialise during training: watch some heatmaps become anti-diagonals and others a diagonal just below the main one. The caption says how much of each head's attention lands on each job.",
    ],
    settings: &[
        with_default(TEXT, "sentence"),
        with_default(LEN, "8"),
        with_default(D_MODEL, "32"),
        Setting { key: "heads", label: "Heads", help: "Attention heads; they split the width between them.", kind: Kind::Choice(&["1", "2", "4", "8"]), default: "4" },
        with_default(LR, "0.01"),
        BATCH,
        with_default(STEPS, "1000"),
    ],
    presets: &[
        Preset { name: "4 heads", values: &[("heads", "4"), ("d_model", "32"), ("steps", "1000")] },
        Preset { name: "1 head (watch it struggle)", values: &[("heads", "1"), ("d_model", "32"), ("steps", "1000")] },
        Preset { name: "2 heads", values: &[("heads", "2"), ("d_model", "32"), ("steps", "1000")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::wide("heatmap", "Attention weights on your text"),
        FigureSpec::curve("loss", "Loss per step"),
        FigureSpec::share("accuracy", "Accuracy on held-out strings (both answers)"),
    ],
    data: no_data,
    live: &["text"],
    takes: Takes::NOTHING,
    basic: &[],
};

/// A matrix as the page shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct NamedMatrix {
    pub name: String,
    /// Rows of numbers (row labels are the view's tokens where there are T rows).
    pub rows: Vec<Vec<f32>>,
}

impl NamedMatrix {
    pub fn shape(&self) -> String {
        format!("{}×{}", self.rows.len(), self.rows.first().map_or(0, Vec::len))
    }
}

/// How much of a head's attention goes to each job, averaged over held-out strings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HeadFocus {
    pub mirror: f32,
    pub previous: f32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AttentionView {
    /// The user's text as the model reads it, one label per position.
    pub tokens: Vec<String>,
    /// Attention weights on that text: [head][query][key].
    pub heads: Vec<Vec<Vec<f32>>>,
    /// The model's answers on the text, and the right ones.
    pub answers: Vec<String>,
    pub expected: Vec<String>,
    /// Day 11's X, Q, K, V, scores, weights and output (head 1); empty otherwise.
    pub matrices: Vec<NamedMatrix>,
    pub focus: Vec<HeadFocus>,
    pub note: String,
}impl AttentionView {
    /// Day 11's matrices (`matrices`), or a heatmap per head.
    pub fn figures(&self, matrices: bool) -> Vec<Figure> {
        vec![if matrices { self.matrices_figure() } else { self.heatmap() }]
    }

    fn answers(&self) -> String {
        let answers: Vec<String> = self.answers.iter().zip(&self.expected).map(|(a, e)| format!("“{a}” (right: “{e}”)")).collect();
        answers.join(" and ")
    }

    /// Queries down, keys across, both labelled with the letters.
    fn heatmap(&self) -> Figure {
        let panels = self
            .heads
            .iter()
            .enumerate()
            .map(|(k, w)| Heatmap { title: format!("head {}", k + 1), subtitle: String::new(), rows: w.clone(), scale: Scale::Unit, numbers: false })
            .collect();
        // One row of heatmaps up to four heads; eight go in two rows.
        let plot = Heatmaps { columns: self.heads.len().clamp(1, 4), row_labels: self.tokens.clone(), col_labels: self.tokens.clone(), panels };
        let mut parts = vec![format!("Queries down, keys across, on “{}”", self.tokens.concat())];
        for (k, weights) in self.heads.iter().enumerate() {
            let looks: Vec<String> = weights
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let (j, w) = row.iter().enumerate().fold((0, f32::MIN), |best, (j, w)| if *w > best.1 { (j, *w) } else { best });
                    format!("{}→{} {w:.2}", self.tokens.get(i).map_or("?", String::as_str), self.tokens.get(j).map_or("?", String::as_str))
                })
                .collect();
            let focus = self.focus.get(k).map(|f| format!(" (on held-out strings: {:.0} % of its weight on the mirror position, {:.0} % on the previous)", 100.0 * f.mirror, 100.0 * f.previous)).unwrap_or_default();
            parts.push(format!("head {} strongest: {}{focus}", k + 1, looks.join(", ")));
        }
        parts.push(format!("The model answers {}", self.answers()));
        Figure::new("heatmap", Plot::Heatmaps(plot), format!("{}.", parts.join(". ")))
    }

    /// Every matrix of head 1 with its shape; the small ones with their numbers.
    fn matrices_figure(&self) -> Figure {
        let panels = self
            .matrices
            .iter()
            .map(|m| Heatmap {
                title: m.name.clone(),
                subtitle: format!("[{}]", m.shape()),
                rows: m.rows.clone(),
                scale: Scale::Signed { max: 0.0 },
                numbers: true,
            })
            .collect();
        let shapes: Vec<String> = self.matrices.iter().map(|m| format!("{} [{}]", m.name, m.shape())).collect();
        let weights = self.matrices.iter().find(|m| m.name.starts_with("weights")).map(|m| {
            m.rows
                .iter()
                .enumerate()
                .map(|(i, r)| format!("{}: [{}]", self.tokens.get(i).map_or("?", String::as_str), r.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(" ")))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let caption = format!(
            "Head 1 on “{}”, every matrix with its shape: {}. Softmax weights, row by row (each sums to 1): {}. The model answers {}.",
            self.tokens.concat(),
            shapes.join(", "),
            weights.unwrap_or_default(),
            self.answers()
        );
        Figure::new("matrices", Plot::Heatmaps(Heatmaps { columns: 4, row_labels: self.tokens.clone(), col_labels: Vec::new(), panels }), caption)
    }
}


