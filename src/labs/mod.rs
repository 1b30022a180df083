//! One file per lab: a Config with presets, `step()`, and the snapshot the page draws.

pub mod attention;
#[cfg(feature = "engine")]
pub mod attention_train;
pub mod backprop;
#[cfg(feature = "engine")]
pub mod backprop_train;
pub mod bench;
pub mod catalog;
pub mod char_lm;
#[cfg(feature = "engine")]
pub mod char_lm_train;
pub mod export;
#[cfg(feature = "engine")]
pub mod gpt_train;
pub mod mnist;
#[cfg(feature = "engine")]
pub mod mnist_train;
pub mod onehot_vs_embed;
#[cfg(feature = "engine")]
pub mod onehot_vs_embed_train;
pub mod perceptron;
pub mod projection;
#[cfg(feature = "engine")]
pub mod projection_train;
pub mod recall;
#[cfg(feature = "engine")]
pub mod recall_train;
pub mod sentiment;
#[cfg(feature = "engine")]
pub mod sentiment_train;
pub mod word2vec;
#[cfg(feature = "engine")]
pub mod word2vec_train;

pub use catalog::{find, LabInfo, LABS, WEEK_TITLES};

use crate::backend::Workload;
#[cfg(feature = "engine")]
use crate::event::Snapshot;
use crate::settings::Setting;
#[cfg(feature = "engine")]
use crate::data::files::DataFiles;
use crate::settings::Params;
#[cfg(feature = "engine")]
use burn::prelude::Device;

/// A named set of settings the page offers as one click.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub values: &'static [(&'static str, &'static str)],
}

/// A chart the page draws for a lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartSpec {
    /// A per-step curve from the snapshots' series of this name.
    Curve { series: &'static str, title: &'static str, unit_range: bool },
    /// The perceptron's plane with its decision regions.
    Boundary,
    /// Every weight as a bar.
    Weights,
    /// A classifier's confusion matrix on its test set.
    Confusion,
    /// Test digits the model gets wrong, with what it said.
    Misclassified,
    /// A pad to draw a digit on, with the predicted probabilities.
    Sketch,
    /// 2-D points coloured by class over the model's predicted class regions.
    Regions,
    /// Every parameter's gradient on the last batch, as bars.
    Gradients,
    /// Nearest neighbours of the words the user typed, with similarities.
    Neighbours,
    /// A classifier's verdict on the user's sentence, word by word.
    Verdict,
    /// Points projected to 2-D, labelled on hover.
    Scatter,
    /// A comparison table generated from the runs, exportable as HTML.
    Report,
    /// Text sampled from a language model, with heatmaps of its states.
    Sample,
    /// Accuracy against distance on the recall task, a line per model.
    Distance,
    /// The gradient reaching k steps back, a line per model (log scale).
    GradFlow,
    /// Attention weights on the user's text, a heatmap per head.
    Heatmap,
    /// Day 11's X, Q, K, V, scores, weights and output, with their shapes.
    Matrices,
}

/// What the page and the CLI need to know about a built lab before running it.
#[derive(Debug)]
pub struct LabSpec {
    /// A few paragraphs: what the day teaches.
    pub intro: &'static [&'static str],
    /// Every setting except the seed, in display order.
    pub settings: &'static [Setting],
    pub presets: &'static [Preset],
    pub workload: Workload,
    pub charts: &'static [ChartSpec],
    /// Files under `data/` the lab reads with these settings; the worker fetches
    /// them before it starts.
    pub data: fn(&Params) -> &'static [&'static str],
    /// Settings that change what the page shows, not the training: changing one
    /// rewrites the link and tells the running lab, without starting over.
    pub live: &'static [&'static str],
}

/// `LabSpec::data` for labs that read no files.
pub fn no_data(_: &Params) -> &'static [&'static str] {
    &[]
}

/// The spec of a lab that is built; `None` for labs still to come.
pub fn spec(id: &str) -> Option<&'static LabSpec> {
    match id {
        "perceptron" => Some(&perceptron::SPEC),
        "mnist" => Some(&mnist::SPEC),
        "backprop" => Some(&backprop::SPEC),
        "word2vec" => Some(&word2vec::SPEC),
        "sentiment" => Some(&sentiment::SPEC),
        "projection" => Some(&projection::SPEC),
        "onehot-vs-embed" => Some(&onehot_vs_embed::SPEC),
        "rnn" => Some(&char_lm::RNN_SPEC),
        "lstm" => Some(&char_lm::LSTM_SPEC),
        "rnn-vs-lstm" => Some(&recall::RNN_VS_LSTM_SPEC),
        "attention" => Some(&attention::ATTENTION_SPEC),
        "attention-map" => Some(&attention::ATTENTION_MAP_SPEC),
        "multihead" => Some(&attention::MULTIHEAD_SPEC),
        "attention-vs-rnn" => Some(&recall::ATTENTION_VS_RNN_SPEC),
        "bench" => Some(&bench::SPEC),
        _ => None,
    }
}

/// The full schema of a built lab: its settings, then the seed.
pub fn schema(id: &str) -> Vec<Setting> {
    let mut all: Vec<Setting> = spec(id).map(|s| s.settings.to_vec()).unwrap_or_default();
    all.push(crate::settings::SEED);
    all
}

/// A lab in training, whichever it is. Enum dispatch keeps the worker and the
/// CLI free of trait objects and async traits.
#[cfg(feature = "engine")]
pub enum Lab {
    Perceptron(Box<perceptron::PerceptronLab>),
    Mnist(Box<mnist_train::MnistLab>),
    Backprop(Box<backprop_train::BackpropLab>),
    Word2vec(Box<word2vec_train::Word2vecLab>),
    Sentiment(Box<sentiment_train::SentimentLab>),
    Projection(Box<projection_train::ProjectionLab>),
    OnehotVsEmbed(Box<onehot_vs_embed_train::OnehotVsEmbedLab>),
    CharLm(Box<char_lm_train::CharLmLab>),
    Recall(Box<recall_train::RecallLab>),
    Attention(Box<attention_train::AttentionLab>),
    Bench(Box<bench::BenchLab>),
}

#[cfg(feature = "engine")]
impl Lab {
    /// `files` holds what the lab's spec lists in `data`.
    pub fn new(id: &str, params: &Params, device: &Device, files: &DataFiles) -> Result<Lab, String> {
        match id {
            "perceptron" => Ok(Lab::Perceptron(Box::new(perceptron::PerceptronLab::new(params, device)?))),
            "mnist" => Ok(Lab::Mnist(Box::new(mnist_train::MnistLab::new(params, device, files)?))),
            "backprop" => Ok(Lab::Backprop(Box::new(backprop_train::BackpropLab::new(params, device)?))),
            "word2vec" => Ok(Lab::Word2vec(Box::new(word2vec_train::Word2vecLab::new(params, device, files)?))),
            "sentiment" => Ok(Lab::Sentiment(Box::new(sentiment_train::SentimentLab::new(params, device, files)?))),
            "projection" => Ok(Lab::Projection(Box::new(projection_train::ProjectionLab::new(params, device, files)?))),
            "rnn" | "lstm" => Ok(Lab::CharLm(Box::new(char_lm_train::CharLmLab::new(id == "lstm", params, device, files)?))),
            "rnn-vs-lstm" | "attention-vs-rnn" => Ok(Lab::Recall(Box::new(recall_train::RecallLab::new(id == "attention-vs-rnn", params, device)?))),
            "attention" | "attention-map" | "multihead" => Ok(Lab::Attention(Box::new(attention_train::AttentionLab::new(id, params, device)?))),
            "onehot-vs-embed" => Ok(Lab::OnehotVsEmbed(Box::new(onehot_vs_embed_train::OnehotVsEmbedLab::new(params, device, files)?))),
            "bench" => Ok(Lab::Bench(Box::new(bench::BenchLab::new(params, device)?))),
            _ => Err(format!("lab {} is not built yet", crate::settings::quote(id))),
        }
    }

    /// One optimizer step. Reads nothing back from the device.
    pub fn step(&mut self) {
        match self {
            Lab::Perceptron(lab) => lab.step(),
            Lab::Mnist(lab) => lab.step(),
            Lab::Backprop(lab) => lab.step(),
            Lab::Word2vec(lab) => lab.step(),
            Lab::Sentiment(lab) => lab.step(),
            Lab::Projection(lab) => lab.step(),
            Lab::OnehotVsEmbed(lab) => lab.step(),
            Lab::CharLm(lab) => lab.step(),
            Lab::Recall(lab) => lab.step(),
            Lab::Attention(lab) => lab.step(),
            Lab::Bench(lab) => lab.step(),
        }
    }

    pub fn steps_done(&self) -> usize {
        match self {
            Lab::Perceptron(lab) => lab.steps_done(),
            Lab::Mnist(lab) => lab.steps_done(),
            Lab::Backprop(lab) => lab.steps_done(),
            Lab::Word2vec(lab) => lab.steps_done(),
            Lab::Sentiment(lab) => lab.steps_done(),
            Lab::Projection(lab) => lab.steps_done(),
            Lab::OnehotVsEmbed(lab) => lab.steps_done(),
            Lab::CharLm(lab) => lab.steps_done(),
            Lab::Recall(lab) => lab.steps_done(),
            Lab::Attention(lab) => lab.steps_done(),
            Lab::Bench(lab) => lab.steps_done(),
        }
    }

    pub fn total_steps(&self) -> usize {
        match self {
            Lab::Perceptron(lab) => lab.total_steps(),
            Lab::Mnist(lab) => lab.total_steps(),
            Lab::Backprop(lab) => lab.total_steps(),
            Lab::Word2vec(lab) => lab.total_steps(),
            Lab::Sentiment(lab) => lab.total_steps(),
            Lab::Projection(lab) => lab.total_steps(),
            Lab::OnehotVsEmbed(lab) => lab.total_steps(),
            Lab::CharLm(lab) => lab.total_steps(),
            Lab::Recall(lab) => lab.total_steps(),
            Lab::Attention(lab) => lab.total_steps(),
            Lab::Bench(lab) => lab.total_steps(),
        }
    }

    /// The most steps to take between two snapshots, if the lab needs a limit
    /// (the benchmark times each step up to its loss read-back).
    pub fn max_chunk(&self) -> Option<usize> {
        match self {
            Lab::Bench(_) => Some(bench::BenchLab::CHUNK),
            _ => None,
        }
    }

    /// The model's answer for a user's input (a drawn digit), where the lab takes one.
    pub async fn predict(&self, input: &[f32]) -> Result<Vec<f32>, String> {
        match self {
            Lab::Mnist(lab) => lab.predict(input).await,
            _ => Err("this lab takes no drawn input".into()),
        }
    }

    /// A live setting changed on the page (see `LabSpec::live`).
    pub fn set_live(&mut self, key: &str, value: &str) {
        match self {
            Lab::Word2vec(lab) => lab.set_live(key, value),
            Lab::Sentiment(lab) => lab.set_live(key, value),
            Lab::CharLm(lab) => lab.set_live(key, value),
            Lab::Attention(lab) => lab.set_live(key, value),
            _ => {}
        }
    }

    pub fn is_done(&self) -> bool {
        self.steps_done() >= self.total_steps()
    }

    /// Reads the metrics and the picture back from the device, asynchronously
    /// (a WebGPU buffer can only be mapped that way). `Err` says why training
    /// cannot go on, e.g. a loss that became NaN.
    pub async fn snapshot(&mut self) -> Result<Snapshot, String> {
        match self {
            Lab::Perceptron(lab) => lab.snapshot().await,
            Lab::Mnist(lab) => lab.snapshot().await,
            Lab::Backprop(lab) => lab.snapshot().await,
            Lab::Word2vec(lab) => lab.snapshot().await,
            Lab::Sentiment(lab) => lab.snapshot().await,
            Lab::Projection(lab) => lab.snapshot().await,
            Lab::OnehotVsEmbed(lab) => lab.snapshot().await,
            Lab::CharLm(lab) => lab.snapshot().await,
            Lab::Recall(lab) => lab.snapshot().await,
            Lab::Attention(lab) => lab.snapshot().await,
            Lab::Bench(lab) => lab.snapshot().await,
        }
    }
}
