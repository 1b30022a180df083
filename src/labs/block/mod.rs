//! Day 15: the transformer block. A stack of the GPT's own blocks
//! (`models::gpt::Block`) learns next characters twice, in lock-step on the
//! same batches: once with residual connections and once without. The page
//! shows what each sub-layer adds to the residual stream, and the gradient
//! that reaches each block of both stacks.

use crate::backend::Workload;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Line, Lines, Plot};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
use serde::{Deserialize, Serialize};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::BlockLab;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "A transformer block is two sub-layers, causal self-attention (Days 11–13) and a small MLP (widen to 4C, GELU, back to C), each wrapped the same way: a LayerNorm and a residual connection. The residual means a sub-layer does not replace its input, it adds to it: x + attn(ln(x)). The vector every position carries from block to block, and that each sub-layer reads from and writes to, is the residual stream.",
        "Pre-LN (GPT-2, and the GPT of weeks 3–4) normalises what goes into each sub-layer and leaves the stream itself alone, so it can grow block by block. Post-LN (the 2017 transformer) normalises after each sum: ln(x + attn(x)), so the stream is rescaled after every sub-layer.",
        "The stack here is the course's GPT with N blocks, on a next-character task over a small corpus of template sentences. A second copy with the same weights and the same batches has its residual connections removed. The second chart shows the size of the gradient of the loss at each block's parameters (log scale). With residuals the first block gets as much as the last or more, since every sum passes the gradient straight back; without them it must go back through every sub-layer, and shrinks by orders of magnitude on the way: the stack without residuals barely learns.",
    ],
    settings: &[
        Setting { key: "layers", label: "Blocks", help: "How many transformer blocks are stacked.", kind: Kind::Int { min: 2, max: 16 }, default: "8" },
        Setting { key: "norm", label: "LayerNorm", help: "pre: before each sub-layer, x + f(ln(x)) (GPT-2). post: after each sum, ln(x + f(x)) (the 2017 transformer).", kind: Kind::Choice(&["pre", "post"]), default: "pre" },
        Setting { key: "width", label: "Width C", help: "Size of the residual stream.", kind: Kind::Choice(&["16", "32", "64", "128"]), default: "32" },
        Setting { key: "heads", label: "Heads", help: "Attention heads per block; each looks at C / heads dimensions.", kind: Kind::Choice(&["1", "2", "4", "8"]), default: "4" },
        Setting { key: "lr", label: "Learning rate", help: "Adam's step size, for both stacks.", kind: Kind::Float { min: 1e-5, max: 0.1 }, default: "0.003" },
        Setting { key: "steps", label: "Steps", help: "Optimizer steps; both stacks take each one on the same batch.", kind: Kind::Int { min: 1, max: 20_000 }, default: "200" },
    ],
    presets: &[
        Preset { name: "Pre-LN, 8 blocks", values: &[("layers", "8"), ("norm", "pre"), ("width", "32"), ("steps", "200")] },
        Preset { name: "Post-LN, 8 blocks", values: &[("layers", "8"), ("norm", "post"), ("width", "32"), ("steps", "200")] },
        Preset { name: "Pre-LN, 16 blocks", values: &[("layers", "16"), ("norm", "pre"), ("width", "32"), ("steps", "200")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::wide("stream", "The residual stream: what each sub-layer adds, and the stream after it"),
        FigureSpec::plot("gradflow", "Gradient reaching each block, with and without residuals"),
        FigureSpec::curve("loss", "Loss per step, with residuals"),
        FigureSpec::curve("loss_no_residual", "Loss per step, without residuals"),
    ],
    data: no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

/// The two stacks, in the order the lab keeps them.
pub const STACKS: [&str; 2] = ["with residuals", "without residuals"];

/// The page's picture of the lab, read at a snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BlockView {
    /// `pre` or `post`.
    pub norm: String,
    /// ‖∂loss/∂θ‖ over each block's parameters, first block first: one list per stack.
    pub grads: [Vec<f32>; 2],
    /// Mean size (L2 norm per position) on the probe text: the embedded input,
    /// then per block what attention adds, the stream after it, what the MLP
    /// adds and the stream after it. With residuals.
    pub stream: Vec<f32>,
    pub note: String,
}

/// The gradient at the first block's parameters over the one at the last's.
pub fn first_last_ratio(grads: &[f32]) -> f64 {
    match (grads.first(), grads.last()) {
        (Some(first), Some(last)) if *last > 0.0 => *first as f64 / *last as f64,
        _ => f64::NAN,
    }
}

impl BlockView {
    pub fn figures(&self) -> Vec<Figure> {
        vec![self.stream_figure(), self.gradflow()]
    }

    fn layers(&self) -> usize {
        (self.stream.len().max(1) - 1) / 4
    }

    /// Per sub-layer: what it adds and the stream after it.
    fn stream_figure(&self) -> Figure {
        let l = self.layers();
        let mut categories = vec!["input".to_string()];
        let mut added = vec![self.stream.first().copied().unwrap_or(0.0)];
        let mut after = added.clone();
        for b in 0..l {
            let s = &self.stream[1 + 4 * b..5 + 4 * b];
            categories.extend([format!("{} attn", b + 1), format!("{} mlp", b + 1)]);
            added.extend([s[0], s[2]]);
            after.extend([s[1], s[3]]);
        }
        let few = l <= 4;
        let labels = |v: &[f32]| v.iter().map(|x| if few { format!("{x:.2}") } else { String::new() }).collect();
        let panel = BarPanel {
            title: format!("{}-LN, with residuals", self.norm),
            x_desc: "block and sub-layer".into(),
            categories,
            series: vec![
                BarSeries { name: "what the sub-layer adds".into(), labels: labels(&added), values: added.clone() },
                BarSeries { name: "the stream after it".into(), labels: labels(&after), values: after.clone() },
            ],
            y_max: 0.0,
            colour_by_category: false,
            highlight: None,
            cutoff: None,
        };
        let caption = if l == 0 {
            "The stream appears after the first snapshot.".to_string()
        } else {
            let at = |b: usize| {
                let s = &self.stream[1 + 4 * b..5 + 4 * b];
                format!("block {}: attention adds {:.2} (stream {:.2}), the MLP adds {:.2} (stream {:.2})", b + 1, s[0], s[1], s[2], s[3])
            };
            format!(
                "Mean size (L2 norm per position) on a fixed probe batch. The embedded input: {:.2}; {}; {}. {}",
                self.stream[0],
                at(0),
                at(l - 1),
                if self.norm == "post" { "Post-LN rescales the stream after every sum, so it stays near √C." } else { "Pre-LN leaves the stream un-normalised, so the additions pile up." }
            )
        };
        Figure::new("stream", Plot::Bars(Bars { panels: vec![panel] }), caption)
    }

    /// ‖∂loss/∂θ‖ per block, both stacks, log scale.
    fn gradflow(&self) -> Figure {
        let lines = STACKS.iter().zip(&self.grads).map(|(name, g)| Line { name: name.to_string(), points: g.iter().enumerate().map(|(i, v)| ((i + 1) as f32, *v)).collect() }).collect();
        let plot = Lines { lines, x_desc: "block (1 = nearest the input)".into(), y_desc: "‖∂loss/∂θ‖ of the block".into(), y_range: None, log_y: true, reference: None, markers: true };
        let parts: Vec<String> = STACKS
            .iter()
            .zip(&self.grads)
            .filter(|(_, g)| !g.is_empty())
            .map(|(name, g)| format!("{name}: {:.2e} at block 1, {:.2e} at block {}, a ratio of {:.2e}", g[0], g[g.len() - 1], g.len(), first_last_ratio(g)))
            .collect();
        let caption = if parts.is_empty() { "The gradients appear after the first snapshot.".to_string() } else { format!("Gradient norm over each block's parameters on a fixed probe batch (log scale). {}.", parts.join("; ")) };
        Figure::new("gradflow", Plot::Lines(plot), caption)
    }
}

/// The note under the charts: what the numbers say.
pub fn note(norm: &str, loss: [Option<f32>; 2], grads: &[Vec<f32>; 2]) -> String {
    let [with, without] = [first_last_ratio(&grads[0]), first_last_ratio(&grads[1])];
    let losses = match loss {
        [Some(a), Some(b)] => format!("Loss {a:.3} with residuals, {b:.3} without. "),
        _ => String::new(),
    };
    let flow = if with.is_finite() && without.is_finite() && without > 0.0 {
        let verdict = if with > without { format!("{} less of it reaches the first block without residuals", times(with / without)) } else { format!("without residuals the first block gets {} more of it than with", times(without / with)) };
        format!("The first block's gradient is {with:.2}× the last block's with residuals and {without:.2e}× without: relative to the top of the stack, {verdict}. ")
    } else {
        String::new()
    };
    format!("{losses}{flow}{}-LN blocks; both stacks start from the same weights and see the same batches.", if norm == "post" { "Post" } else { "Pre" })
}

/// A factor as people read it: 12.3×, or 1.9e7× when it is large.
fn times(x: f64) -> String {
    if x >= 1e4 { format!("{x:.1e}×") } else { format!("{x:.1}×") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(layers: usize) -> BlockView {
        let stream = (0..1 + 4 * layers).map(|i| i as f32).collect();
        BlockView { norm: "pre".into(), grads: [vec![1.0; layers], (0..layers).map(|i| 10f32.powi(i as i32)).collect()], stream, note: String::new() }
    }

    #[test]
    fn the_stream_has_two_bars_a_block_after_the_input() {
        let figures = view(3).figures();
        let Plot::Bars(bars) = &figures[0].plot else { panic!("stream is bars") };
        let panel = &bars.panels[0];
        assert_eq!(panel.categories.len(), 1 + 2 * 3);
        assert_eq!(panel.categories[1], "1 attn");
        // Block 1: adds 1 (attention) and 3 (MLP); the stream after is 2, then 4.
        assert_eq!(panel.series[0].values[1..3], [1.0, 3.0]);
        assert_eq!(panel.series[1].values[1..3], [2.0, 4.0]);
        assert!(figures[0].caption.contains("block 3: attention adds 9.00"), "{}", figures[0].caption);
    }

    #[test]
    fn the_ratio_and_the_note_compare_the_stacks() {
        assert_eq!(first_last_ratio(&[2.0, 1.0, 4.0]), 0.5);
        assert!(first_last_ratio(&[]).is_nan());
        let v = view(3);
        let figures = v.figures();
        assert!(figures[1].caption.contains("a ratio of 1.00e-2"), "{}", figures[1].caption);
        let n = note("pre", [Some(1.5), Some(2.5)], &v.grads);
        assert!(n.contains("100.0× less"), "{n}");
    }
}
