//! Days 8 and 9: a character-level language model, vanilla RNN or LSTM, on
//! Shakespeare, Moby Dick or the user's own text. Both labs share this file.

use crate::backend::Workload;
use crate::data::text::{MOBY_DICK, SHAKESPEARE};
use crate::figure::{Figure, FigureSpec, Heatmap, Heatmaps, Plot, Scale};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Params, Setting};
use serde::{Deserialize, Serialize};

const CORPUS: Setting = Setting { key: "corpus", label: "Text", help: "shakespeare: 8 plays. moby: Moby Dick. pasted: the text in the box below.", kind: Kind::Choice(&["shakespeare", "moby", "pasted"]), default: "shakespeare" };
const TEXT: Setting = Setting { key: "text", label: "Your text", help: "Used when Text is “pasted”: up to 4,000 characters (it travels in the link).", kind: Kind::Text { max: 4000 }, default: "" };
const HIDDEN: Setting = Setting { key: "hidden", label: "Hidden units", help: "Size of the hidden state.", kind: Kind::Int { min: 4, max: 512 }, default: "128" };
const SEQ: Setting = Setting { key: "seq", label: "Sequence length", help: "Characters per training window: how far back gradients flow (truncated BPTT).", kind: Kind::Int { min: 2, max: 256 }, default: "32" };
const BATCH: Setting = Setting { key: "batch", label: "Batch size", help: "Windows per step.", kind: Kind::Int { min: 1, max: 256 }, default: "32" };
const LR: Setting = Setting { key: "lr", label: "Learning rate", help: "Adam's step size.", kind: Kind::Float { min: 1e-5, max: 10.0 }, default: "0.02" };
const CLIP: Setting = Setting { key: "clip", label: "Gradient clipping", help: "Largest gradient norm allowed (0 = off): it stops exploding gradients.", kind: Kind::Float { min: 0.0, max: 1000.0 }, default: "1" };
const STEPS: Setting = Setting { key: "steps", label: "Steps", help: "Optimizer steps.", kind: Kind::Int { min: 1, max: 100_000 }, default: "1000" };
const PROMPT: Setting = Setting { key: "prompt", label: "Prompt", help: "Samples continue this text (characters the corpus never uses are skipped). Empty: start a new line.", kind: Kind::Text { max: 200 }, default: "" };
const TEMPERATURE: Setting = Setting { key: "temperature", label: "Temperature", help: "Sampling: below 1 plays safe, above 1 takes risks.", kind: Kind::Float { min: 0.05, max: 5.0 }, default: "0.8" };

const SETTINGS: &[Setting] = &[CORPUS, TEXT, HIDDEN, SEQ, BATCH, LR, CLIP, STEPS, PROMPT, TEMPERATURE];
/// The LSTM's default width gives it the RNN's parameter budget: 37,516
/// parameters at 60 units against the RNN's 36,040 at 128 (Shakespeare's 76
/// characters; the lab shows both as `params`).
const LSTM_SETTINGS: &[Setting] = &[CORPUS, TEXT, Setting { default: "60", ..HIDDEN }, SEQ, BATCH, LR, CLIP, STEPS, PROMPT, TEMPERATURE];

const FIGURES: &[FigureSpec] = &[
    FigureSpec::curve("train_loss", "Training loss per step"),
    FigureSpec::curve("val_loss", "Validation loss"),
    FigureSpec::plot("sample", "Sampled text and the network's states"),
];

fn files(p: &Params) -> Result<&'static [&'static str], String> {
    Ok(match p.get("corpus")? {
        "moby" => &[MOBY_DICK],
        "pasted" => &[],
        _ => &[SHAKESPEARE],
    })
}

pub static RNN_SPEC: LabSpec = LabSpec {
    intro: &[
        "A recurrent network reads text one character at a time and keeps a hidden state: h_t = tanh(x_t·W + h_{t−1}·U + b). From that state it predicts the next character. Trained on a play, it learns spelling, then words, then the shape of a script.",
        "Training unrolls the network over windows of a few dozen characters and backpropagates through every step of the window (truncated backpropagation through time). Every so often the page samples new text from the model, one character at a time, at the temperature you pick, and shows the hidden state as a heatmap over the sampled characters.",
        "Gradients through many tanh steps can explode: a diverging run stops with a message, and gradient clipping (on by default) keeps the step size in check.",
    ],
    settings: SETTINGS,
    presets: &[
        Preset { name: "Shakespeare, 128 units", values: &[("corpus", "shakespeare"), ("hidden", "128"), ("seq", "32"), ("steps", "1000")] },
        Preset { name: "Moby Dick, 128 units", values: &[("corpus", "moby"), ("hidden", "128"), ("seq", "32"), ("steps", "1000")] },
        Preset { name: "No clipping, high learning rate (may explode)", values: &[("clip", "0"), ("lr", "0.05"), ("seq", "64")] },
    ],
    workload: Workload::Tiny,
    figures: FIGURES,
    data: files,
    live: &["temperature", "prompt"],
    takes: Takes::NOTHING,
    basic: &["corpus", "text", "hidden", "steps", "prompt", "temperature"],
};

pub static LSTM_SPEC: LabSpec = LabSpec {
    intro: &[
        "The LSTM adds a cell state c that is carried forward by multiplication with a forget gate f and topped up through an input gate i: c_t = f ⊙ c_{t−1} + i ⊙ g. An output gate o decides what of it to show: h_t = o ⊙ tanh(c_t). When f stays near 1, information, and gradient, pass through many steps almost unchanged.",
        "The cell is written out gate by gate in src/models/lstm.rs. The heatmaps show the gates' activations over a sample: rows are characters, columns hidden units.",
        "Same data and controls as the RNN of Day 8. Four gates cost four times the weights, so the default 60 units match the RNN's 128 in parameters (about 37,500 against 36,000 on Shakespeare): compare their validation losses after the same number of steps.",
    ],
    settings: LSTM_SETTINGS,
    presets: &[
        Preset { name: "Shakespeare, 60 units (the RNN's parameter budget)", values: &[("corpus", "shakespeare"), ("hidden", "60"), ("seq", "32"), ("steps", "1000")] },
        Preset { name: "Moby Dick, 60 units", values: &[("corpus", "moby"), ("hidden", "60"), ("seq", "32"), ("steps", "1000")] },
        Preset { name: "Shakespeare, 128 units (4 × the RNN's parameters)", values: &[("corpus", "shakespeare"), ("hidden", "128"), ("seq", "32"), ("steps", "1000")] },
    ],
    workload: Workload::Tiny,
    figures: FIGURES,
    data: files,
    live: &["temperature", "prompt"],
    takes: Takes::NOTHING,
    basic: &["corpus", "text", "hidden", "steps", "prompt", "temperature"],
};

/// A sample and what the network did while writing it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Sample {
    pub step: usize,
    pub text: String,
    /// Named heatmaps (hidden state; for the LSTM the gates too): one row per
    /// sampled character, one column per shown unit, values in −1..1 or 0..1.
    pub maps: Vec<(String, Vec<Vec<f32>>)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CharLmView {
    pub sample: Option<Sample>,
    pub note: String,
}

impl CharLmView {
    /// The sample, with a heatmap of each state: a row per character, a column per unit.
    pub fn figures(&self) -> Vec<Figure> {
        let Some(s) = &self.sample else {
            return vec![Figure::empty("sample", "A sample appears after the first steps.")];
        };
        // Every map has a row per one of the last characters of the sample.
        let shown = s.maps.first().map_or(0, |m| m.1.len());
        let chars: Vec<char> = s.text.chars().collect();
        let row_labels = chars[chars.len().saturating_sub(shown)..].iter().map(|c| if *c == '\n' { "⏎".to_string() } else { c.to_string() }).collect();
        let panels = s
            .maps
            .iter()
            .map(|(name, rows)| Heatmap { title: name.clone(), subtitle: String::new(), rows: rows.clone(), scale: Scale::Signed { max: 1.0 }, numbers: false })
            .collect();
        let caption = format!("Sample at step {} (newlines as ⏎): “{}”. Heatmaps: the last {shown} characters down, the first units across.", s.step, s.text.replace('\n', "⏎"));
        vec![Figure::new("sample", Plot::Heatmaps(Heatmaps { columns: s.maps.len().max(1), row_labels, col_labels: Vec::new(), panels }), caption)]
    }
}
