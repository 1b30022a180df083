//! Day 16: the encoder. The GPT's own blocks without the causal mask, so every
//! position sees the whole string, learn to fill in hidden characters (BERT's
//! task). A twin with the causal mask, the same weights and the same batches,
//! has only the left side to go on: the gap between their accuracies on
//! held-out text is what the right-hand context is worth.

use crate::backend::Workload;
use crate::figure::{Figure, FigureSpec, Heatmap, Heatmaps, Plot, Scale, TokenLine, Tokens};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
use serde::{Deserialize, Serialize};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::EncoderLab;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "An encoder is a stack of the same transformer blocks as Day 15's, with one thing taken away: the causal mask. Every position attends to every other, left and right, so the vector each position ends with describes it in the light of the whole string. BERT is one; so is the part of a translation model that reads the source sentence.",
        "It cannot be trained to predict the next character (it would simply look at it), so it is trained to fill in blanks: some characters of a window are replaced by “_”, and the loss asks for the hidden ones back, 15 % of them by default, in sentences of a small template corpus. Positions are given by RoPE (Day 20), which lets attention find a character's neighbours from the start.",
        "A second copy with the causal mask put back, starting from the same weights and seeing the same batches, must fill each blank from the left side alone. Both are scored on masked characters of held-out text: the difference is what seeing both sides is worth. The attention maps show it: the causal model's weights stop at the diagonal, the encoder's spread both ways.",
    ],
    settings: &[
        Setting { key: "layers", label: "Blocks", help: "How many transformer blocks are stacked.", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        Setting { key: "width", label: "Width C", help: "Size of each position's vector.", kind: Kind::Choice(&["16", "32", "64"]), default: "32" },
        Setting { key: "heads", label: "Heads", help: "Attention heads per block; each looks at C / heads dimensions.", kind: Kind::Choice(&["1", "2", "4"]), default: "4" },
        Setting { key: "mask_rate", label: "Masked share", help: "Share of the characters hidden in each window (at least one per window).", kind: Kind::Float { min: 0.05, max: 0.5 }, default: "0.15" },
        Setting { key: "lr", label: "Learning rate", help: "Adam's step size, for both models.", kind: Kind::Float { min: 1e-5, max: 0.1 }, default: "0.01" },
        Setting { key: "steps", label: "Steps", help: "Optimizer steps; both models take each one on the same batch.", kind: Kind::Int { min: 1, max: 20_000 }, default: "1500" },
    ],
    presets: &[
        Preset { name: "2 blocks, 15 % masked", values: &[("layers", "2"), ("mask_rate", "0.15"), ("steps", "1500")] },
        Preset { name: "2 blocks, 40 % masked (harder)", values: &[("layers", "2"), ("mask_rate", "0.4"), ("steps", "1500")] },
        Preset { name: "1 block, 1 head", values: &[("layers", "1"), ("heads", "1"), ("steps", "1500")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::wide("fills", "Held-out text with hidden characters, and each model's guesses"),
        FigureSpec::wide("attention", "Where each position looks (last block, heads averaged)"),
        FigureSpec::share("accuracy", "Accuracy on hidden held-out characters, bidirectional"),
        FigureSpec::share("causal_accuracy", "The same with the causal mask (left context only)"),
        FigureSpec::curve("loss", "Training loss, bidirectional"),
    ],
    data: no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

/// The two models, in the order the lab keeps them.
pub const MODELS: [&str; 2] = ["bidirectional", "causal"];
/// What a hidden character looks like to the models.
pub const MASK: char = '_';

/// The page's picture of the lab, read at a snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EncoderView {
    /// The probe text as the models see it, a character each (MASK where hidden).
    pub input: Vec<String>,
    /// The probe text before masking.
    pub truth: Vec<String>,
    /// Positions of the probe that are hidden.
    pub hidden: Vec<usize>,
    /// Per model and position: its likeliest character and that probability.
    pub guesses: [Vec<(String, f32)>; 2],
    /// Per model: attention weights [query][key] on the probe, last block, heads averaged.
    pub attention: [Vec<Vec<f32>>; 2],
    /// Per model: accuracy on the hidden characters of the held-out set.
    pub accuracy: [Option<f32>; 2],
}

impl EncoderView {
    pub fn figures(&self) -> Vec<Figure> {
        vec![self.fills(), self.attention()]
    }

    /// How many of the probe's hidden characters model `k` gets right.
    pub fn right(&self, k: usize) -> usize {
        self.hidden.iter().filter(|&&i| self.guesses[k].get(i).is_some_and(|g| g.0 == self.truth[i])).count()
    }

    fn fills(&self) -> Figure {
        let n = self.hidden.len();
        let mut lines = vec![TokenLine { label: format!("held-out text, {n} characters hidden ({MASK})"), tokens: self.input.clone(), shades: Vec::new(), marks: Vec::new(), accents: Vec::new() }];
        for (k, name) in MODELS.iter().enumerate() {
            let guesses = &self.guesses[k];
            let mut line = TokenLine { label: format!("{name}: {} of {n} right", self.right(k)), tokens: self.input.clone(), shades: vec![0.0; self.input.len()], marks: Vec::new(), accents: Vec::new() };
            for &i in &self.hidden {
                let Some((c, p)) = guesses.get(i) else { continue };
                line.tokens[i] = c.clone();
                line.shades[i] = *p;
                if *c != self.truth[i] {
                    line.marks.push(i);
                }
            }
            lines.push(line);
        }
        lines.push(TokenLine { label: "the original".into(), tokens: self.truth.clone(), shades: Vec::new(), marks: Vec::new(), accents: Vec::new() });
        let caption = match self.accuracy {
            [Some(a), Some(b)] => format!(
                "On this held-out text the bidirectional model fills {} of {n} hidden characters, the causal one {}. Over the whole held-out set: {:.1} % against {:.1} %.",
                self.right(0),
                self.right(1),
                100.0 * a,
                100.0 * b
            ),
            _ => "The guesses appear after the first snapshot.".into(),
        };
        let plot = Tokens { lines, shade_desc: "the model's probability for its guess".into(), mark_desc: "a wrong guess".into(), accent_desc: String::new() };
        Figure::new("fills", Plot::Tokens(plot), caption)
    }

    fn attention(&self) -> Figure {
        let panels = MODELS
            .iter()
            .zip(&self.attention)
            .map(|(name, rows)| Heatmap { title: name.to_string(), subtitle: format!("{} to the right of the diagonal", percent(right_share(rows))), rows: rows.clone(), scale: Scale::Unit, numbers: false })
            .collect();
        let plot = Heatmaps { columns: 2, row_labels: self.input.clone(), col_labels: self.input.clone(), panels };
        let caption = format!(
            "Rows: the position asking; columns: the position looked at. The bidirectional model puts {} of its attention on characters to the right of each position; the causal model {} (its mask sets those weights to exactly 0).",
            percent(right_share(&self.attention[0])),
            percent(right_share(&self.attention[1]))
        );
        Figure::new("attention", Plot::Heatmaps(plot), caption)
    }
}

/// The share of attention weight above the diagonal (on later positions),
/// averaged over the rows.
pub fn right_share(rows: &[Vec<f32>]) -> f32 {
    if rows.is_empty() {
        return 0.0;
    }
    rows.iter().enumerate().map(|(i, row)| row.iter().skip(i + 1).sum::<f32>()).sum::<f32>() / rows.len() as f32
}

fn percent(x: f32) -> String {
    format!("{:.1} %", 100.0 * x)
}

/// The note under the charts.
pub fn note(accuracy: [Option<f32>; 2]) -> String {
    match accuracy {
        [Some(a), Some(b)] => format!(
            "Hidden held-out characters filled: {:.1} % with both sides, {:.1} % with the left side only — seeing the right-hand context is worth {:+.1} points.",
            100.0 * a,
            100.0 * b,
            100.0 * (a - b)
        ),
        _ => "Both models start from the same weights and see the same batches; only the mask differs.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> EncoderView {
        let chars = |s: &str| s.chars().map(String::from).collect::<Vec<_>>();
        EncoderView {
            input: chars("c_t_"),
            truth: chars("cats"),
            hidden: vec![1, 3],
            guesses: [vec![("c".into(), 0.9), ("a".into(), 0.8), ("t".into(), 0.9), ("s".into(), 0.7)], vec![("c".into(), 0.9), ("o".into(), 0.4), ("t".into(), 0.9), ("s".into(), 0.3)]],
            attention: [vec![vec![0.5, 0.5], vec![0.5, 0.5]], vec![vec![1.0, 0.0], vec![0.5, 0.5]]],
            accuracy: [Some(0.8), Some(0.5)],
        }
    }

    #[test]
    fn the_fills_show_each_guess_and_mark_the_wrong_ones() {
        let v = view();
        assert_eq!((v.right(0), v.right(1)), (2, 1));
        let figures = v.figures();
        let Plot::Tokens(t) = &figures[0].plot else { panic!("fills are tokens") };
        assert_eq!(t.lines.len(), 4);
        assert_eq!(t.lines[1].tokens.concat(), "cats");
        assert_eq!(t.lines[2].tokens.concat(), "cots");
        assert_eq!(t.lines[2].marks, vec![1]);
        assert_eq!(t.lines[2].shades, vec![0.0, 0.4, 0.0, 0.3]);
        assert!(figures[0].caption.contains("80.0 % against 50.0 %"), "{}", figures[0].caption);
    }

    #[test]
    fn the_share_of_attention_to_the_right_is_above_the_diagonal() {
        assert_eq!(right_share(&[vec![0.5, 0.5], vec![0.5, 0.5]]), 0.25);
        assert_eq!(right_share(&[vec![1.0, 0.0], vec![0.5, 0.5]]), 0.0);
        assert!(note([Some(0.8), Some(0.5)]).contains("+30.0 points"));
    }
}
