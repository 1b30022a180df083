//! Day 21: a trained GPT taken apart. Parameters per component, counted from
//! the model; the data path with the shapes the tensors really have on the
//! prompt; every head's attention; and the logit lens: what the residual
//! stream would predict after each block, through the final LayerNorm and head.

use crate::backend::Workload;
use crate::figure::{Figure, FigureSpec, HBars, Heatmap, Heatmaps, Plot, Scale, Table};
use crate::labs::sampling::visible;
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::AnatomyLab;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "Day 18's GPT, opened up. Its parameters are counted from the model itself, component by component: the token embedding (a vector per character), the position embedding, attention (queries, keys and values in one matrix, and the projection back), the MLPs (widen to 4C and back), the LayerNorms (a gain and a bias per channel), and the head that scores every character.",
        "The data path follows your prompt through the model: each stage with its weights' shape and the shape of what it produces, read from the tensors as they are computed. Then the attention of every head of every block on the prompt: row i shows where position i looked.",
        "The logit lens (nostalgebraist, 2020) reads the residual stream between blocks as if it were the last one: through the final LayerNorm and the head. The last layer's lens is exactly the model's output; earlier layers show how the prediction forms, and at which block the right next character first comes out on top.",
    ],
    settings: &[
        Setting { key: "corpus", label: "Text", help: "The text the GPT learns first (a loaded model must have learned the same one).", kind: Kind::Choice(&["shakespeare", "moby"]), default: "shakespeare" },
        Setting { key: "model", label: "Model", help: "A model kept in this browser, by its content hash (the list below the buttons); empty: train one here first.", kind: Kind::Text { max: 64 }, default: "" },
        Setting { key: "layers", label: "Blocks", help: "Blocks of the GPT trained here (a loaded model brings its own).", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        Setting { key: "steps", label: "Training steps", help: "Steps of Day 18's training before the model is opened (ignored for a loaded model).", kind: Kind::Int { min: 1, max: 20_000 }, default: "600" },
        Setting { key: "prompt", label: "Prompt", help: "The text the model reads (at most its context; characters it never saw are skipped).", kind: Kind::Text { max: 64 }, default: "ROMEO: And what shall I say" },
    ],
    presets: &[
        Preset { name: "3 blocks, 600 steps", values: &[("layers", "3"), ("steps", "600")] },
        Preset { name: "6 blocks, 1500 steps", values: &[("layers", "6"), ("steps", "1500")] },
    ],
    workload: Workload::Large,
    figures: &[
        FigureSpec::curve("train_loss", "The GPT's training loss"),
        FigureSpec::plot("params", "Parameters per component"),
        FigureSpec::table("path", "The data path, with the shapes on your prompt"),
        FigureSpec::wide("attention", "Every head's attention on the prompt"),
        FigureSpec::wide("lens", "Logit lens: the probability of the right next character after each block"),
        FigureSpec::table("lens_top", "Logit lens: the top prediction after each block"),
    ],
    data: crate::labs::gpt::SPEC.data,
    live: &["prompt"],
    takes: Takes::ONE_MODEL,
    basic: &[],
};

/// One row of the data path: the stage, its weights' shape, its output's shape.
pub type PathRow = [String; 3];

/// The page's picture of the lab.
#[derive(Clone, Debug, Default)]
pub struct AnatomyView {
    /// Parameters per component, in the model's order.
    pub params: Vec<(String, usize)>,
    pub path: Vec<PathRow>,
    /// The prompt as the model read it, a character each.
    pub prompt: Vec<String>,
    /// [block][head][query][key].
    pub attention: Vec<Vec<Vec<Vec<f32>>>>,
    /// [layer 0..=L][position]: the lens's top character and its probability.
    pub lens_top: Vec<Vec<(String, f32)>>,
    /// [layer][position]: the lens's probability of the prompt's next character
    /// (one fewer position: the last has no next).
    pub lens_right: Vec<Vec<f32>>,
    /// The largest difference between the last layer's lens and the output logits.
    pub output_gap: f32,
}

/// Shapes as PyTorch prints them: [1, 27, 96].
pub fn shape(dims: &[usize]) -> String {
    format!("[{}]", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

impl AnatomyView {
    pub fn total(&self) -> usize {
        self.params.iter().map(|p| p.1).sum()
    }

    /// Per position with a next character: the first layer whose top
    /// prediction is that character, if any.
    pub fn first_right(&self) -> Vec<Option<usize>> {
        (0..self.prompt.len().saturating_sub(1))
            .map(|i| (0..self.lens_top.len()).find(|&l| self.lens_top[l][i].0 == self.prompt[i + 1]))
            .collect()
    }

    fn layer_name(&self, l: usize) -> String {
        match l {
            0 => "embeddings".into(),
            l if l + 1 == self.lens_top.len() => format!("block {l} (output)"),
            l => format!("block {l}"),
        }
    }

    pub fn figures(&self) -> Vec<Figure> {
        let total = self.total();
        let bars = HBars { bars: self.params.iter().map(|(n, c)| (n.clone(), *c as f32)).collect(), x_desc: "parameters".into(), values: true };
        let biggest = self.params.iter().max_by_key(|p| p.1).map(|p| format!("{} holds the most ({:.0} %)", p.0, 100.0 * p.1 as f64 / total.max(1) as f64)).unwrap_or_default();
        let mut figures = vec![
            Figure::new("params", Plot::HBars(bars), format!("{total} parameters in all, counted from the model's tensors; {biggest}.")),
            Figure::new("path", Plot::Table(Table { header: ["stage", "weights", "output"].map(String::from).to_vec(), rows: self.path.iter().map(|r| r.to_vec()).collect() }), format!("Your prompt of {} characters through the model; B = 1 prompt, T = {} positions.", self.prompt.len(), self.prompt.len())),
        ];
        if self.lens_top.is_empty() {
            figures.extend(["attention", "lens", "lens_top"].map(|n| Figure::empty(n, "Appears at the first snapshot.")));
            return figures;
        }
        let labels: Vec<String> = self.prompt.iter().map(|c| visible(c)).collect();
        let heads = self.attention.first().map_or(1, Vec::len);
        let panels = self.attention.iter().enumerate().flat_map(|(b, block)| block.iter().enumerate().map(move |(h, rows)| Heatmap { title: format!("block {} head {}", b + 1, h + 1), subtitle: String::new(), rows: rows.clone(), scale: Scale::Unit, numbers: false })).collect();
        figures.push(Figure::new("attention", Plot::Heatmaps(Heatmaps { columns: heads, row_labels: labels.clone(), col_labels: labels.clone(), panels }), format!("{} blocks × {heads} heads; rows: the position asking, columns: the position looked at (the mask keeps everything right of the diagonal at 0).", self.attention.len())));
        let first = self.first_right();
        let found: Vec<usize> = first.iter().flatten().copied().collect();
        let last = self.lens_top.len() - 1;
        let rows: Vec<Vec<f32>> = self.lens_right.clone();
        let heat = Heatmap { title: "P(right next character)".into(), subtitle: "rows: after the embeddings, then each block".into(), rows, scale: Scale::Unit, numbers: false };
        let row_labels = (0..self.lens_top.len()).map(|l| self.layer_name(l)).collect();
        let col_labels = labels[..labels.len().saturating_sub(1)].iter().zip(&labels[1..]).map(|(a, b)| format!("{a}→{b}")).collect();
        let mean_right = |l: usize| self.lens_right[l].iter().sum::<f32>() / self.lens_right[l].len().max(1) as f32;
        figures.push(Figure::new(
            "lens",
            Plot::Heatmaps(Heatmaps { columns: 1, row_labels, col_labels, panels: vec![heat] }),
            format!(
                "Mean probability of the right next character: {:.3} after the embeddings, {:.3} at the output. The right character comes out on top at {} of {} positions, first at layer {:.2} on average (0 = embeddings). The last row is the model's output: largest difference {}.",
                mean_right(0),
                mean_right(last),
                found.len(),
                first.len(),
                found.iter().sum::<usize>() as f64 / found.len().max(1) as f64,
                self.output_gap
            ),
        ));
        let mut header = vec!["position".to_string(), "next".to_string()];
        header.extend((0..=last).map(|l| self.layer_name(l)));
        header.push("first right".into());
        let rows = (0..self.prompt.len())
            .map(|i| {
                let mut row = vec![format!("{} “{}”", i + 1, labels[i]), labels.get(i + 1).cloned().unwrap_or_else(|| "?".into())];
                row.extend((0..=last).map(|l| format!("{} {:.2}", visible(&self.lens_top[l][i].0), self.lens_top[l][i].1)));
                row.push(match first.get(i) {
                    Some(Some(l)) => self.layer_name(*l),
                    Some(None) => "never".into(),
                    None => "—".into(),
                });
                row
            })
            .collect();
        figures.push(Figure::new("lens_top", Plot::Table(Table { header, rows }), "Each cell: the character the stream would predict if the model stopped there, and its probability. “first right”: the first layer where the prompt's actual next character is on top."));
        figures
    }
}
