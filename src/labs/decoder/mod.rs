//! Day 17: the causal mask. The GPT's blocks learn next characters twice, in
//! lock-step on the same batches: with the mask (a decoder) and without it.
//! The page draws the mask, proves causality on the user's own edit (no
//! earlier prediction moves, exactly), and shows why the unmasked model's
//! better loss is cheating: it cannot write.

use crate::backend::Workload;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Heatmap, Heatmaps, Plot, Scale, TokenLine, Tokens};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
use serde::{Deserialize, Serialize};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::DecoderLab;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "A decoder predicts each next character from the ones before it, so that it can write: generate a character, append it, predict again. Trained on whole windows at once, position i must not see positions after i, or it would learn to read its answer rather than predict it. The causal mask enforces that: in every block, the attention score of a query at i on a key at j > i is set to −∞ before the softmax, so its weight is exactly 0.",
        "Here one stack learns with the mask and an identical one, with the same weights and the same batches, without it. Without the mask the training loss falls far lower: position i simply attends to position i + 1, which holds its target. Then ask both to write: the unmasked model has never had to predict a character it could not see, and produces garbage.",
        "Causality is checked on your own text: type a sentence, then an edited copy with a later character changed. With the mask, no prediction before the edit moves, not by a rounding error (the lab reports the largest change, exactly 0); without it, every position's prediction moves.",
    ],
    settings: &[
        Setting { key: "layers", label: "Blocks", help: "How many transformer blocks are stacked.", kind: Kind::Int { min: 1, max: 6 }, default: "2" },
        Setting { key: "width", label: "Width C", help: "Size of each position's vector.", kind: Kind::Choice(&["16", "32", "64"]), default: "32" },
        Setting { key: "heads", label: "Heads", help: "Attention heads per block; each looks at C / heads dimensions.", kind: Kind::Choice(&["1", "2", "4"]), default: "4" },
        Setting { key: "lr", label: "Learning rate", help: "Adam's step size, for both models.", kind: Kind::Float { min: 1e-5, max: 0.1 }, default: "0.01" },
        Setting { key: "steps", label: "Steps", help: "Optimizer steps; both models take each one on the same batch.", kind: Kind::Int { min: 1, max: 20_000 }, default: "600" },
        Setting { key: "text", label: "Text", help: "The sentence the causality check and the attention maps use (at most 32 characters; ones the corpus never uses are skipped). Both models also continue it.", kind: Kind::Text { max: 64 }, default: "a dog sleeps in the barn" },
        Setting { key: "edited", label: "Edited text", help: "The same sentence with a later character changed: no prediction before the change may move.", kind: Kind::Text { max: 64 }, default: "a dog sleeps in the farm" },
    ],
    presets: &[
        Preset { name: "2 blocks", values: &[("layers", "2"), ("steps", "600")] },
        Preset { name: "4 blocks, longer", values: &[("layers", "4"), ("steps", "1500")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::wide("mask", "The causal mask, and the attention of the first block with and without it"),
        FigureSpec::plot("causality", "How far each prediction moves when you edit the text"),
        FigureSpec::curve("loss", "Training loss with the mask"),
        FigureSpec::curve("unmasked_loss", "Training loss without the mask (cheating)"),
        FigureSpec::wide("samples", "Each model continues your text"),
    ],
    data: no_data,
    live: &["text", "edited"],
    takes: Takes::NOTHING,
    basic: &["layers", "width", "steps", "text", "edited"],
};

/// The two models, in the order the lab keeps them.
pub const MODELS: [&str; 2] = ["with the mask", "without the mask"];

/// The page's picture of the lab, read at a snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DecoderView {
    /// The text and its edited copy as the models read them, a character each.
    pub text: Vec<String>,
    pub edited: Vec<String>,
    /// The first position where they differ (their length when they don't).
    pub edit_at: usize,
    /// Per model and position: the largest change of any logit between the two texts.
    pub change: [Vec<f32>; 2],
    /// Per model: first block's attention [query][key] on the text, heads averaged.
    pub attention: [Vec<Vec<f32>>; 2],
    /// Per model: generated characters after the text and the probability of each.
    pub samples: [Vec<(String, f32)>; 2],
    /// Per model: the share of the continuation's whole words that are words of the corpus.
    pub real_words: [f32; 2],
}

impl DecoderView {
    pub fn figures(&self) -> Vec<Figure> {
        vec![self.mask(), self.causality(), self.samples()]
    }

    /// The largest change of model `k`'s logits before the edit.
    pub fn max_change_before_edit(&self, k: usize) -> f32 {
        self.change[k].iter().take(self.edit_at).fold(0.0, |m, &v| m.max(v))
    }

    fn mask(&self) -> Figure {
        let t = self.text.len();
        let mask = (0..t).map(|i| (0..t).map(|j| if j <= i { 1.0 } else { 0.0 }).collect()).collect();
        let mut panels = vec![Heatmap { title: "the mask".into(), subtitle: "blue: may attend; white: −∞".into(), rows: mask, scale: Scale::Unit, numbers: false }];
        panels.extend(MODELS.iter().zip(&self.attention).map(|(name, rows)| Heatmap { title: format!("attention {name}"), subtitle: "first block, heads averaged".into(), rows: rows.clone(), scale: Scale::Unit, numbers: false }));
        let ahead = |rows: &[Vec<f32>]| rows.iter().enumerate().map(|(i, r)| r.iter().skip(i + 1).sum::<f32>()).sum::<f32>() / rows.len().max(1) as f32;
        let next = |rows: &[Vec<f32>]| rows.iter().enumerate().filter_map(|(i, r)| r.get(i + 1)).sum::<f32>() / rows.len().saturating_sub(1).max(1) as f32;
        let caption = format!(
            "Rows: the position asking; columns: the position looked at. With the mask, {:.1} % of the attention lands on later positions (exactly none can). Without it, {:.1} %, and {:.1} % on the very next character, the one each position must predict.",
            100.0 * ahead(&self.attention[0]),
            100.0 * ahead(&self.attention[1]),
            100.0 * next(&self.attention[1])
        );
        Figure::new("mask", Plot::Heatmaps(Heatmaps { columns: 3, row_labels: self.text.clone(), col_labels: self.text.clone(), panels }), caption)
    }

    fn causality(&self) -> Figure {
        let series = MODELS.iter().zip(&self.change).map(|(name, v)| BarSeries { name: name.to_string(), values: v.clone(), labels: vec![String::new(); v.len()] }).collect();
        // The edited position is labelled with its edit ("b→f").
        let mut categories = self.text.clone();
        if let Some(c) = categories.get_mut(self.edit_at) {
            *c = format!("{c}→{}", self.edited[self.edit_at]);
        }
        let panel = BarPanel {
            title: "largest change of any logit, per position".into(),
            x_desc: "position (the text's character)".into(),
            categories,
            series,
            y_max: 0.0,
            colour_by_category: false,
            highlight: None,
            cutoff: None,
        };
        let caption = if self.edit_at >= self.text.len() {
            "The edited text is the same as the text: change a later character of the edited copy.".to_string()
        } else if self.edit_at == 0 {
            "The edit is at the first character, so every position comes after it: change a later one.".to_string()
        } else {
            format!(
                "Edited at position {} (“{}” → “{}”). Over the {} positions before it, the largest change of any logit is {} with the mask and {:.3} without.",
                self.edit_at + 1,
                self.text[self.edit_at],
                self.edited[self.edit_at],
                self.edit_at,
                exact(self.max_change_before_edit(0)),
                self.max_change_before_edit(1)
            )
        };
        Figure::new("causality", Plot::Bars(Bars { panels: vec![panel] }), caption)
    }

    fn samples(&self) -> Figure {
        let lines = MODELS
            .iter()
            .zip(&self.samples)
            .map(|(name, s)| TokenLine { label: format!("{name}: {}…", self.text.concat()), tokens: s.iter().map(|(c, _)| c.clone()).collect(), shades: s.iter().map(|(_, p)| *p).collect(), marks: Vec::new(), accents: Vec::new() })
            .collect();
        let mean = |s: &[(String, f32)]| s.iter().map(|(_, p)| p).sum::<f32>() / s.len().max(1) as f32;
        let caption = if self.samples[0].is_empty() {
            "The samples appear after the first snapshot.".to_string()
        } else {
            format!(
                "Sampled at temperature 0.8, a character at a time, each fed back in. Words of the corpus among the whole words written: {:.0} % with the mask, {:.0} % without. The mean probability the model gave its own characters: {:.2} and {:.2}. The unmasked model was only ever asked to copy the character to its right, and at the end of a text there is none.",
                100.0 * self.real_words[0],
                100.0 * self.real_words[1],
                mean(&self.samples[0]),
                mean(&self.samples[1])
            )
        };
        Figure::new("samples", Plot::Tokens(Tokens { lines, shade_desc: "the model's probability for the character".into(), mark_desc: String::new(), accent_desc: String::new() }), caption)
    }
}

/// A change as the check reads it: an exact 0 says so.
fn exact(x: f32) -> String {
    if x == 0.0 { "exactly 0".into() } else { format!("{x:.3e}") }
}

/// The note under the charts.
pub fn note(losses: [Option<f32>; 2], view: &DecoderView) -> String {
    let losses = match losses {
        [Some(a), Some(b)] => format!("Training loss {a:.3} with the mask, {b:.3} without. "),
        _ => String::new(),
    };
    let check = if view.edit_at > 0 && view.edit_at < view.text.len() {
        format!("Causality: editing position {} moves no earlier logit with the mask ({}); without it, by up to {:.3}.", view.edit_at + 1, exact(view.max_change_before_edit(0)), view.max_change_before_edit(1))
    } else {
        "Edit a later character of the edited text to check causality.".to_string()
    };
    format!("{losses}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> DecoderView {
        let chars = |s: &str| s.chars().map(String::from).collect::<Vec<_>>();
        DecoderView {
            text: chars("abcd"),
            edited: chars("abxd"),
            edit_at: 2,
            change: [vec![0.0, 0.0, 1.0, 2.0], vec![0.5, 0.25, 1.0, 2.0]],
            attention: [vec![vec![1.0, 0.0], vec![0.5, 0.5]], vec![vec![0.0, 1.0], vec![0.5, 0.5]]],
            samples: [vec![("e".into(), 0.5)], vec![("q".into(), 0.1)]],
            real_words: [1.0, 0.0],
        }
    }

    #[test]
    fn the_check_looks_only_before_the_edit() {
        let v = view();
        assert_eq!((v.max_change_before_edit(0), v.max_change_before_edit(1)), (0.0, 0.5));
        let figures = v.figures();
        assert!(figures[1].caption.contains("exactly 0 with the mask and 0.500 without"), "{}", figures[1].caption);
        assert!(note([Some(1.0), Some(0.1)], &v).contains("position 3 moves no earlier logit"));
        let same = DecoderView { edited: v.text.clone(), edit_at: 4, ..v };
        assert!(same.figures()[1].caption.contains("is the same as the text"));
    }

    #[test]
    fn the_mask_is_drawn_lower_triangular_beside_both_attentions() {
        let figures = view().figures();
        let Plot::Heatmaps(h) = &figures[0].plot else { panic!("heatmaps") };
        assert_eq!(h.panels.len(), 3);
        assert_eq!(h.panels[0].rows[1], vec![1.0, 1.0, 0.0, 0.0]);
        assert!(figures[0].caption.contains("Without it, 50.0 %, and 100.0 % on the very next"), "{}", figures[0].caption);
    }
}
