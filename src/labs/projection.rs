//! Day 5: the embeddings in 2-D, by exact PCA or t-SNE, redrawn while the model
//! that makes them trains: word2vec's word vectors, or the MNIST MLP's hidden layer.

use crate::backend::Workload;
use crate::data::{mnist, text};
use crate::figure::{Figure, FigureSpec, Plot, Points};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Params, Setting};
use serde::{Deserialize, Serialize};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "Embeddings live in tens or hundreds of dimensions; to look at them we squeeze them onto a plane. This lab trains a model (Day 4's word2vec, or Day 2's MNIST network) and keeps projecting what it has learned, so you can watch structure appear.",
        "PCA keeps the two directions along which the points vary most: a rotation and a shadow, exact and linear, and it reports how much of the variance those two directions explain. t-SNE instead tries to keep each point's near neighbours near: it turns distances into probabilities (the perplexity sets roughly how many neighbours count), then moves 2-D points to match them, minimising the KL divergence between the two. Clusters come out clearly; distances between clusters mean little.",
        "Hover over a point to see its word or digit. Words of the toy corpus are coloured by the group they belong to; digits by their label.",
    ],
    settings: &[
        Setting { key: "source", label: "Embeddings of", help: "word2vec: word vectors while word2vec trains. mnist: the hidden layer of the MNIST network for test digits.", kind: Kind::Choice(&["word2vec", "mnist"]), default: "word2vec" },
        Setting { key: "method", label: "Method", help: "pca: exact principal components. tsne: exact t-SNE.", kind: Kind::Choice(&["pca", "tsne"]), default: "pca" },
        Setting { key: "perplexity", label: "Perplexity", help: "t-SNE: about how many neighbours each point keeps close.", kind: Kind::Float { min: 2.0, max: 100.0 }, default: "20" },
        Setting { key: "points", label: "Points", help: "Words (most frequent first) or test digits to project.", kind: Kind::Int { min: 10, max: 2000 }, default: "300" },
        Setting { key: "corpus", label: "Corpus (word2vec)", help: "toy, moby or shakespeare.", kind: Kind::Choice(&["toy", "moby", "shakespeare"]), default: "toy" },
        Setting { key: "steps", label: "Training steps", help: "Steps of the model being projected; t-SNE then settles for 300 more iterations.", kind: Kind::Int { min: 1, max: 100_000 }, default: "1000" },
    ],
    presets: &[
        Preset { name: "word2vec on the toy corpus, PCA", values: &[("source", "word2vec"), ("method", "pca"), ("corpus", "toy"), ("points", "60"), ("steps", "1000")] },
        Preset { name: "word2vec on Moby Dick, t-SNE of 500 words", values: &[("source", "word2vec"), ("method", "tsne"), ("corpus", "moby"), ("points", "500"), ("steps", "3000"), ("perplexity", "20")] },
        Preset { name: "MNIST hidden layer, t-SNE of 1000 digits", values: &[("source", "mnist"), ("method", "tsne"), ("points", "1000"), ("steps", "940"), ("perplexity", "30")] },
        Preset { name: "MNIST hidden layer, PCA", values: &[("source", "mnist"), ("method", "pca"), ("points", "2000"), ("steps", "940")] },
    ],
    workload: Workload::Tiny,
    figures: &[FigureSpec::plot("scatter", "The embeddings in 2-D"), FigureSpec::curve("loss", "Loss of the model being projected")],
    data: files,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

fn files(p: &Params) -> Result<&'static [&'static str], String> {
    Ok(match (p.get("source")?, p.get("corpus")?) {
        ("mnist", _) => mnist::FILES,
        (_, "moby") => &[text::MOBY_DICK],
        (_, "shakespeare") => &[text::SHAKESPEARE],
        _ => &[],
    })
}

/// The projected points: x, y, a label shown on hover, and a colour group.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProjectionView {
    pub method: String,
    pub points: Vec<(f32, f32)>,
    pub labels: Vec<String>,
    pub groups: Vec<u8>,
    pub summary: String,
    pub note: String,
}

impl ProjectionView {
    /// The points, labelled on hover.
    pub fn figures(&self) -> Vec<Figure> {
        let first: Vec<&str> = self.labels.iter().take(10).map(String::as_str).collect();
        let caption = format!("{} points. {}. Hover over a point for its label; the first are {}.", self.points.len(), self.summary, first.join(", "));
        let points = Points { points: self.points.clone(), groups: self.groups.clone(), labels: self.labels.clone() };
        vec![Figure::new("scatter", Plot::Points(points), caption)]
    }
}
