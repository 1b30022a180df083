//! One file per lab: a Config with presets, `step()`, and the snapshot the page draws.

pub mod attention;
#[cfg(feature = "engine")]
pub mod attention_train;
pub mod backprop;
#[cfg(feature = "engine")]
pub mod backprop_train;
pub mod bench;
pub mod bench_sample;
pub mod catalog;
pub mod char_lm;
#[cfg(feature = "engine")]
pub mod char_lm_train;
pub mod export;
pub mod history;
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
#[cfg(feature = "engine")]
pub mod twins;
pub mod word2vec;
#[cfg(feature = "engine")]
pub mod word2vec_train;

pub use catalog::{find, LabInfo, LABS, WEEK_TITLES};

use crate::backend::Workload;
#[cfg(feature = "engine")]
use crate::data::files::DataFiles;
#[cfg(feature = "engine")]
use crate::event::Snapshot;
#[cfg(feature = "engine")]
use crate::figure::Figure;
use crate::figure::{FigureSpec, Shape};
use crate::settings::{Kind, Params, Setting};
#[cfg(feature = "engine")]
use burn::prelude::Device;
#[cfg(feature = "engine")]
use std::{future::Future, pin::Pin};

/// A named set of settings the page offers as one click.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub values: &'static [(&'static str, &'static str)],
}

impl Preset {
    /// The preset's settings over `params`. Every setting it does not list
    /// goes back to its default, so that a preset is the same recipe whatever
    /// was chosen before it (the logic preset's rate and batch must not carry
    /// into the addition one). What the person typed (free text: their models,
    /// prompts, sentences) and the seed stay.
    pub fn apply(&self, schema: &[Setting], params: &mut Params) -> Result<(), String> {
        for s in schema.iter().filter(|s| s.key != "seed" && !matches!(s.kind, Kind::Text { .. })) {
            params.0.insert(s.key.to_string(), s.default.to_string());
        }
        self.values.iter().try_for_each(|(k, v)| params.set(schema, k, v))
    }
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
    /// What the page shows, in order. The lab's first snapshot carries every
    /// figure but the curves (which the page draws from the series).
    pub figures: &'static [FigureSpec],
    /// Files under `data/` the lab reads with these settings; the worker fetches
    /// them before it starts.
    pub data: fn(&Params) -> Result<&'static [&'static str], String>,
    /// Settings that change what the page shows, not the training: changing one
    /// rewrites the link and tells the running lab, without starting over.
    pub live: &'static [&'static str],
    /// What the lab takes besides its settings (kept models, a file of the
    /// person's): the page, the worker and the CLI act on this, never on a
    /// setting's name.
    pub takes: Takes,
    /// The few settings a learner changes first, shown above the rest, which
    /// (with the seed) sit under "Advanced"; empty where every one is basic.
    pub basic: &'static [&'static str],
}

/// What a lab takes besides its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Takes {
    /// The kept models it takes.
    pub models: Kept,
    /// Whether a finished run is kept as a model (the page's list), for the
    /// days that take kept models: the labs whose `Training::save` answers.
    pub keeps: bool,
    /// The choice setting whose `file` option reads the person's own text
    /// (the page's file picker, the CLI's `--text-file`).
    pub upload: Option<&'static str>,
}

impl Takes {
    pub const NOTHING: Takes = Takes { models: Kept::None, keeps: false, upload: None };
    /// A kept model to look into (`model`).
    pub const ONE_MODEL: Takes = Takes { models: Kept::One, keeps: false, upload: None };
    /// A kept model to start from (`model`), and the trained one kept.
    pub const TRAINS_ON: Takes = Takes { models: Kept::One, keeps: true, upload: None };
}

/// The kept models a lab takes, and the settings that name them by hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    None,
    /// `model`.
    One,
    /// `model`, and `model_b` beside it.
    Two,
    /// `model`, and `models` (hashes separated by commas) beside it.
    Many,
}

impl Kept {
    /// The settings naming the models this lab takes, first one first.
    pub fn settings(self) -> &'static [&'static str] {
        match self {
            Kept::None => &[],
            Kept::One => &["model"],
            Kept::Two => &["model", "model_b"],
            Kept::Many => &["model", "models"],
        }
    }
}

impl LabSpec {
    /// A lab with a table among its figures can save its page as a report.
    pub fn has_report(&self) -> bool {
        self.figures.iter().any(|f| f.shape == Shape::Table)
    }
}

/// `LabSpec::data` for labs that read no files.
pub fn no_data(_: &Params) -> Result<&'static [&'static str], String> {
    Ok(&[])
}

/// A future that needs no `Send`: the worker is single-threaded.
#[cfg(feature = "engine")]
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// A lab in training, whichever it is: the worker and the CLI hold a
/// `Box<dyn Training>` and know no lab by name.
#[cfg(feature = "engine")]
pub trait Training {
    /// One optimizer step. Reads nothing back from the device.
    fn step(&mut self);
    fn steps_done(&self) -> usize;
    fn total_steps(&self) -> usize;
    fn is_done(&self) -> bool {
        self.steps_done() >= self.total_steps()
    }
    /// Reads the metrics and the figures back from the device, in one
    /// asynchronous read (a WebGPU buffer can only be mapped that way). `Err`
    /// says why training cannot go on, e.g. a loss that became NaN.
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>>;
    /// A live setting changed on the page (see `LabSpec::live`).
    fn set_live(&mut self, _key: &str, _value: &str) {}
    /// The most steps to take between two snapshots, if the lab needs a limit
    /// (the benchmark times each step up to its loss read-back).
    fn max_chunk(&self) -> Option<usize> {
        None
    }
    /// The model's answer to the user's drawing, as a figure, where the lab
    /// has a `Shape::Pad` figure.
    fn predict<'a>(&'a self, _input: &'a [f32]) -> LocalFuture<'a, Result<Figure, String>> {
        Box::pin(async { Err("this lab takes no drawn input".to_string()) })
    }
    /// The trained model as a file (safetensors, `models::checkpoint`), for
    /// labs whose model outlives them.
    fn save(&self) -> LocalFuture<'_, Result<Vec<u8>, String>> {
        Box::pin(async { Err("this lab keeps no model to save".to_string()) })
    }
}

/// The usual `Training::snapshot`: read the snapshot and the view behind it
/// (one read from the device), then draw the figures from the view.
#[cfg(feature = "engine")]
pub fn with_figures<'a, V: 'a>(
    read: impl Future<Output = Result<(Snapshot, V), String>> + 'a,
    figures: impl FnOnce(&V) -> Vec<Figure> + 'a,
) -> LocalFuture<'a, Result<Snapshot, String>> {
    Box::pin(async move {
        let (mut snap, view) = read.await?;
        snap.figures = figures(&view);
        Ok(snap)
    })
}

/// Reads the per-step losses kept on the device since the last snapshot (the
/// last `pending.len()` steps up to `step`), in one read: curve points, or why
/// training cannot go on (a loss that is not finite, with the learning rate to
/// lower).
#[cfg(feature = "engine")]
pub async fn drain_losses(pending: &mut Vec<burn::prelude::Tensor<1>>, step: usize, lr: f64) -> Result<Vec<(u32, f32)>, String> {
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let first = step - pending.len();
    let values = burn::prelude::Tensor::cat(std::mem::take(pending), 0).inner().into_data_async().await.map_err(|e| format!("{e:?}"))?;
    let values = values.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
    if let Some((i, bad)) = values.iter().enumerate().find(|(_, l)| !l.is_finite()) {
        return Err(format!("Training diverged at step {}: the loss became {bad}. Lower the learning rate ({lr}) and press Reset.", first + i + 1));
    }
    Ok(values.into_iter().enumerate().map(|(i, l)| ((first + i + 1) as u32, l)).collect())
}

/// Builds a lab from its validated settings on a device; `files` holds what
/// its spec's `data` lists.
#[cfg(feature = "engine")]
pub type Start = fn(&Params, &Device, &DataFiles) -> Result<Box<dyn Training>, String>;

/// One line of the registry: a lab's id, its spec and how to start it.
pub struct Entry {
    pub id: &'static str,
    pub spec: &'static LabSpec,
    #[cfg(feature = "engine")]
    pub start: Start,
}

/// The registry: one line a lab, `mod file` first where the lab is one file
/// of its own. The constructor is left out of the page's module (no engine).
macro_rules! registry {
    ($($(mod $file:ident)? $id:literal => $spec:expr, $start:expr;)*) => {
        $($(pub mod $file;)?)*
        pub static REGISTRY: &[Entry] = &[$(Entry {
            id: $id,
            spec: &$spec,
            #[cfg(feature = "engine")]
            start: |params, device, files| Ok(Box::new(($start)(params, device, files)?) as Box<dyn Training>),
        }),*];
    };
}

registry! {
    "perceptron" => perceptron::SPEC, |p, d, _| perceptron::PerceptronLab::new(p, d);
    "mnist" => mnist::SPEC, mnist_train::MnistLab::new;
    "backprop" => backprop::SPEC, |p, d, _| backprop_train::BackpropLab::new(p, d);
    "word2vec" => word2vec::SPEC, word2vec_train::Word2vecLab::new;
    "projection" => projection::SPEC, projection_train::ProjectionLab::new;
    "sentiment" => sentiment::SPEC, sentiment_train::SentimentLab::new;
    "onehot-vs-embed" => onehot_vs_embed::SPEC, onehot_vs_embed_train::OnehotVsEmbedLab::new;
    "rnn" => char_lm::RNN_SPEC, |p, d, f| char_lm_train::CharLmLab::new(false, p, d, f);
    "lstm" => char_lm::LSTM_SPEC, |p, d, f| char_lm_train::CharLmLab::new(true, p, d, f);
    "rnn-vs-lstm" => recall::RNN_VS_LSTM_SPEC, |p, d, _| recall_train::RecallLab::new(false, p, d);
    "attention" => attention::ATTENTION_SPEC, |p, d, _| attention_train::AttentionLab::new("attention", p, d);
    "attention-map" => attention::ATTENTION_MAP_SPEC, |p, d, _| attention_train::AttentionLab::new("attention-map", p, d);
    "multihead" => attention::MULTIHEAD_SPEC, |p, d, _| attention_train::AttentionLab::new("multihead", p, d);
    "attention-vs-rnn" => recall::ATTENTION_VS_RNN_SPEC, |p, d, _| recall_train::RecallLab::new(true, p, d);
    mod block "block" => block::SPEC, |p, d, _| block::BlockLab::new(p, d);
    mod encoder "encoder" => encoder::SPEC, |p, d, _| encoder::EncoderLab::new(p, d);
    mod decoder "decoder" => decoder::SPEC, |p, d, _| decoder::DecoderLab::new(p, d);
    mod gpt "gpt" => gpt::SPEC, gpt::GptLab::new;
    mod sampling "sampling" => sampling::SPEC, sampling::SamplingLab::new;
    mod positions "positions" => positions::SPEC, |p, d, _| positions::PositionsLab::new(p, d);
    mod anatomy "anatomy" => anatomy::SPEC, anatomy::AnatomyLab::new;
    mod reasoning_data "reasoning-data" => reasoning_data::SPEC, |p, d, _| reasoning_data::ReasoningDataLab::new(p, d);
    mod reason "gpt-mini" => reason::PLAIN_SPEC, |p, d, f| reason::ReasonLab::new(reason::Format::Plain, p, d, f);
    "cot" => reason::COT_SPEC, |p, d, f| reason::ReasonLab::new(reason::Format::Cot, p, d, f);
    mod eval "eval" => eval::SPEC, eval::EvalLab::new;
    mod rl "ppo" => rl::SPEC, rl::RlLab::new;
    "dpo" => rl::DPO_SPEC, rl::DpoLab::new;
    "tools" => reason::TOOL_SPEC, |p, d, f| reason::ReasonLab::new(reason::Format::Tool, p, d, f);
    "compare" => eval::COMPARE_SPEC, eval::EvalLab::new;
    mod report "report" => report::SPEC, report::ReportLab::new;
    "bench" => bench::SPEC, |p, d, _| bench::BenchLab::new(p, d);
    "bench-sample" => bench_sample::SPEC, |p, d, _| bench_sample::SampleBenchLab::new(p, d);
}

/// A built lab's registry line; `None` for labs still to come.
pub fn entry(id: &str) -> Option<&'static Entry> {
    REGISTRY.iter().find(|e| e.id == id)
}

/// The spec of a lab that is built; `None` for labs still to come.
pub fn spec(id: &str) -> Option<&'static LabSpec> {
    entry(id).map(|e| e.spec)
}

/// The full schema of a built lab: its settings, then the seed.
pub fn schema(id: &str) -> Vec<Setting> {
    let mut all: Vec<Setting> = spec(id).map(|s| s.settings.to_vec()).unwrap_or_default();
    all.push(crate::settings::SEED);
    all
}

/// Starts a built lab; `files` holds what its spec's `data` lists.
#[cfg(feature = "engine")]
pub fn start(id: &str, params: &Params, device: &Device, files: &DataFiles) -> Result<Box<dyn Training>, String> {
    let entry = entry(id).ok_or_else(|| format!("lab {} is not built yet", crate::settings::quote(id)))?;
    (entry.start)(params, device, files)
}

/// Every file under `data/` a built lab can read, whichever of its choices is
/// picked (a text, an evaluation set): what the page fetches to make the lab
/// work offline. Settings that are not choices never change a lab's files.
pub fn data_files(id: &str) -> Vec<&'static str> {
    let Some(spec) = spec(id) else { return Vec::new() };
    let schema = schema(id);
    let base = Params::defaults(&schema);
    let mut files: Vec<&'static str> = (spec.data)(&base).map(|f| f.to_vec()).unwrap_or_default();
    for s in &schema {
        let Kind::Choice(values) = s.kind else { continue };
        for value in values {
            let mut params = base.clone();
            if params.set(&schema, s.key, value).is_ok() {
                files.extend((spec.data)(&params).into_iter().flatten());
            }
        }
    }
    files.sort_unstable();
    files.dedup();
    files
}

/// Every file under `data/` any built lab can read, once each.
pub fn all_data_files() -> Vec<&'static str> {
    let mut files: Vec<_> = LABS.iter().flat_map(|l| data_files(l.id)).collect();
    files.sort_unstable();
    files.dedup();
    files
}

#[cfg(test)]
mod takes_tests {
    use super::{schema, Kept, LABS};
    use crate::settings::Kind;

    /// What a lab declares it takes is what its settings can name, and no
    /// other lab has a setting that looks like one (the perceptron's `model`
    /// is a choice of architecture, not a kept model).
    #[test]
    fn every_lab_declares_what_it_takes_and_its_settings_agree() {
        let mut taking = Vec::new();
        for lab in LABS.iter().filter(|l| super::spec(l.id).is_some()) {
            let spec = super::spec(lab.id).unwrap();
            let schema = schema(lab.id);
            let text = |key: &str| schema.iter().any(|s| s.key == key && matches!(s.kind, Kind::Text { .. }));
            for key in spec.takes.models.settings() {
                assert!(text(key), "{} takes kept models: its {key} is a text setting", lab.id);
            }
            for key in ["model", "model_b", "models"].iter().filter(|k| !spec.takes.models.settings().contains(k)) {
                assert!(!text(key), "{} names kept models in {key} but does not declare them", lab.id);
            }
            if let Some(key) = spec.takes.upload {
                assert!(schema.iter().any(|s| s.key == key && matches!(s.kind, Kind::Choice(c) if c.contains(&"file"))), "{}: {key} offers file", lab.id);
            }
            if spec.takes.models != Kept::None {
                taking.push(lab.id);
            }
        }
        assert!(!taking.contains(&"perceptron"));
        assert_eq!(taking.len(), 11, "{taking:?}");
    }

    /// A lab with more settings than fit at a glance marks the few to change
    /// first (at most six), each one of its own; the models it takes among them.
    #[test]
    fn long_setting_lists_mark_a_few_basic_ones() {
        for lab in LABS.iter().filter(|l| super::spec(l.id).is_some()) {
            let spec = super::spec(lab.id).unwrap();
            let keys: Vec<&str> = spec.settings.iter().map(|s| s.key).collect();
            assert!(spec.basic.iter().all(|b| keys.contains(b)), "{}: {:?} not all in {keys:?}", lab.id, spec.basic);
            assert!(spec.basic.len() <= 6, "{}", lab.id);
            if keys.len() > 7 {
                assert!(spec.basic.len() >= 3, "{} shows {} settings at once", lab.id, keys.len());
            }
            if !spec.basic.is_empty() {
                assert!(spec.takes.models.settings().iter().all(|k| spec.basic.contains(k)), "{}: the models it takes stay in view", lab.id);
            }
        }
    }
}

#[cfg(test)]
mod data_file_tests {
    #[test]
    fn every_file_a_lab_can_read_is_shipped() {
        let all = super::all_data_files();
        // The texts, MNIST, the reviews and the evaluation sets at least.
        assert!(all.len() >= 10, "{all:?}");
        for f in all {
            assert!(std::path::Path::new("data").join(f).is_file(), "data/{f} is listed by a lab but missing");
        }
    }
}
