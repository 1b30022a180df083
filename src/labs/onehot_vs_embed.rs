//! Day 7: one-hot against embeddings, as a report generated from two real runs
//! on the same split.

use crate::backend::Workload;
use crate::data::reviews;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Plot, Table};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Params, Setting};
use serde::{Deserialize, Serialize};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "Day 6 offered two ways to feed words to a network. This report trains both, one step each in turn, on the same training snippets and the same held-out test set, and compares what they cost and what they learn. Every number below comes from the runs on this page; press Export to save it as a standalone HTML file.",
        "Nearest-neighbour quality asks whether the learned word vectors put words of the same sentiment together: for each of 16 clearly positive or negative words, is its nearest neighbour among the others of the same polarity? One-hot inputs have no word vectors of their own (every pair of one-hot vectors is orthogonal), so for them we use what the first layer learned for each word.",
    ],
    settings: &[
        Setting { key: "vocab", label: "Vocabulary", help: "Most frequent training words kept.", kind: Kind::Int { min: 100, max: 20_000 }, default: "5000" },
        Setting { key: "dims", label: "Embedding size", help: "Length of each word's vector in the embedding model.", kind: Kind::Int { min: 2, max: 300 }, default: "32" },
        Setting { key: "hidden", label: "Hidden units", help: "Width of both models' hidden layer.", kind: Kind::Int { min: 1, max: 512 }, default: "32" },
        Setting { key: "epochs", label: "Epochs", help: "Passes over the training snippets, for each model.", kind: Kind::Int { min: 1, max: 50 }, default: "3" },
    ],
    presets: &[
        Preset { name: "Both models, 3 epochs", values: &[("vocab", "5000"), ("dims", "32"), ("hidden", "32"), ("epochs", "3")] },
        Preset { name: "Quick: 1 epoch", values: &[("vocab", "5000"), ("dims", "32"), ("hidden", "32"), ("epochs", "1")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::share("onehot_test_accuracy", "One-hot: test accuracy"),
        FigureSpec::share("embed_test_accuracy", "Embeddings: test accuracy"),
        FigureSpec::plot("report", "The report"),
        FigureSpec::table("table", "The report's numbers"),
    ],
    data: |_: &Params| Ok(&[reviews::FILE]),
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

pub const POSITIVE: [&str; 8] = ["good", "great", "best", "beautiful", "wonderful", "funny", "fun", "moving"];
pub const NEGATIVE: [&str; 8] = ["bad", "worst", "boring", "dull", "mess", "tedious", "stupid", "flat"];

/// One model's row of the report.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Column {
    pub name: String,
    pub test_accuracy: f32,
    pub params: usize,
    pub train_seconds: f64,
    /// Share of the polarity words whose nearest neighbour has the same polarity.
    pub nn_agreement: f32,
    /// A few words with their nearest neighbour, e.g. "boring → dull".
    pub examples: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReportView {
    pub columns: Vec<Column>,
    pub note: String,
}

impl ReportView {
    /// The report as a table: a header, then a row per model.
    pub fn table(&self) -> Table {
        let header = ["model", "test accuracy", "parameters", "training seconds", "NN agreement", "examples"].map(String::from).to_vec();
        let rows = self
            .columns
            .iter()
            .map(|c| vec![c.name.clone(), format!("{:.4}", c.test_accuracy), c.params.to_string(), format!("{:.1}", c.train_seconds), format!("{:.2}", c.nn_agreement), c.examples.join(", ")])
            .collect();
        Table { header, rows }
    }

    /// Both models' test accuracy and neighbour agreement side by side, and the table.
    pub fn figures(&self) -> Vec<Figure> {
        let finite = |v: f32| if v.is_finite() { v } else { 0.0 };
        let series = self
            .columns
            .iter()
            .map(|c| {
                let values = vec![finite(c.test_accuracy), finite(c.nn_agreement)];
                BarSeries { name: c.name.clone(), labels: values.iter().map(|v| format!("{v:.3}")).collect(), values }
            })
            .collect();
        let panel = BarPanel {
            title: String::new(),
            x_desc: String::new(),
            categories: vec!["test accuracy".into(), "NN agreement".into()],
            series,
            y_max: 1.1,
            colour_by_category: false,
            highlight: None,
            cutoff: None,
        };
        let rows: Vec<String> = self
            .columns
            .iter()
            .map(|c| {
                format!(
                    "{} — test accuracy {:.4}, {} parameters, {:.1} s of training, nearest-neighbour agreement {:.2} ({})",
                    c.name,
                    c.test_accuracy,
                    c.params,
                    c.train_seconds,
                    c.nn_agreement,
                    c.examples.join(", ")
                )
            })
            .collect();
        let name = |k: usize| self.columns.get(k).map_or("", |c| c.name.as_str());
        let caption = format!("Blue: {}; orange: {}. {}.", name(0), name(1), rows.join("; "));
        vec![
            Figure::new("report", Plot::Bars(Bars { panels: vec![panel] }), caption),
            Figure::new("table", Plot::Table(self.table()), format!("{} models, trained on the same snippets in the same order.", self.columns.len())),
        ]
    }
}

/// Nearest neighbour (by cosine, rows are unit length) of each word among the others.
pub fn nearest(vectors: &[(String, Vec<f32>)]) -> Vec<(String, String)> {
    vectors
        .iter()
        .enumerate()
        .filter_map(|(i, (w, v))| {
            let best = vectors
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .max_by(|a, b| dot(v, &a.1 .1).total_cmp(&dot(v, &b.1 .1)))?;
            Some((w.clone(), best.1 .0.clone()))
        })
        .collect()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The share of pairs (word → nearest) with the same polarity.
pub fn agreement(pairs: &[(String, String)]) -> f32 {
    let polarity = |w: &str| POSITIVE.contains(&w);
    let same = pairs.iter().filter(|(a, b)| polarity(a) == polarity(b)).count();
    same as f32 / pairs.len().max(1) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_and_agreement() {
        let v = |w: &str, x: f32, y: f32| (w.to_string(), vec![x, y]);
        let vectors = vec![v("good", 1.0, 0.0), v("great", 0.9, 0.1), v("bad", 0.0, 1.0), v("dull", 0.1, 0.9)];
        let pairs = nearest(&vectors);
        assert_eq!(pairs[0], ("good".into(), "great".into()));
        assert_eq!(pairs[2], ("bad".into(), "dull".into()));
        assert_eq!(agreement(&pairs), 1.0);
        assert_eq!(agreement(&[("good".into(), "bad".into()), ("dull".into(), "bad".into())]), 0.5);
    }
}
