//! The one message type between a lab and whatever shows it: the page's worker
//! posts these to the page, and the CLI prints them as JSON lines.

use crate::backend::{BackendChoice, BackendKind};
use crate::figure::Figure;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Page → worker.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "cmd", rename_all = "lowercase")]
pub enum Command {
    /// Build (or rebuild) a lab with these settings on this backend; `upload`
    /// is the user's own text, for a lab set to train on a file.
    Load {
        lab: String,
        params: BTreeMap<String, String>,
        backend: BackendChoice,
        #[serde(default)]
        upload: Option<String>,
        /// A model file to start from (one kept in the browser).
        #[serde(default, with = "serde_bytes")]
        model: Option<Vec<u8>>,
        /// Models set beside the first, for a lab that compares (eval's
        /// Model B; compare's others), in the link's order.
        #[serde(default)]
        others: Vec<serde_bytes::ByteBuf>,
        /// The last checkpoint of this very run: the first build continues it
        /// (its weights, step and schedule); a Reset starts afresh.
        #[serde(default, with = "serde_bytes")]
        checkpoint: Option<Vec<u8>>,
    },
    Run,
    Pause,
    /// One step, then a snapshot.
    Step,
    Reset,
    /// A live setting changed: the running lab takes it without starting over.
    Live { key: String, value: String },
    /// Classify a drawing (784 pixels in 0–1); answered by `Event::Prediction`.
    Predict { pixels: Vec<f32> },
    /// Check a model file the user imports; answered by `Event::Inspected`.
    Inspect {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
}

/// What the page shows of a model file, read from it by the worker.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelInfo {
    /// The first 16 hex digits of the file's SHA-256: links name models by it.
    pub hash: String,
    /// "gpt · shakespeare · 2 × 96 · step 1200 · val 1.950".
    pub name: String,
    /// The lab that trained it.
    pub lab: String,
    /// The step it was saved at, of how many its run had.
    pub step: usize,
    pub total_steps: usize,
    /// Its architecture and vocabulary as JSON: the config beside the weights.
    pub config: String,
}

/// Why the worker sends a model.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// A run in progress, to resume after a reload.
    Checkpoint,
    /// A finished run's model, to keep.
    Trained,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Idle,
    /// A lab that scores kept models, with none chosen (set by the page).
    Waiting,
    Running,
    Paused,
    Done,
    Error,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Waiting => "waiting",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Done => "done",
            Status::Error => "error",
        }
    }
}

/// Worker → page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    /// The worker's module is loaded and listening.
    Ready,
    Backend { kind: BackendKind, reason: String },
    Status { status: Status, message: Option<String> },
    Snapshot(Snapshot),
    /// Long work before training can start (downloading data): `done` of `total`
    /// (`total` 0 when unknown), in the unit the label names.
    Progress { label: String, done: f64, total: f64 },
    /// The lab's answer to the last `Command::Predict` as a figure (the class
    /// probabilities of a drawing), or why there is none.
    Prediction { figure: Result<Figure, String> },
    /// A model file from the lab (`Training::save`).
    Model {
        kind: ModelKind,
        info: ModelInfo,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// The answer to `Command::Inspect`: the file's description, or what is wrong with it.
    Inspected { result: Result<ModelInfo, String> },
    /// The browser took the WebGPU device away (`GPUDevice.lost`): posted by
    /// www/gpu-watch.js, not by the module, with the browser's reason
    /// ("destroyed" or "unknown") and message.
    #[serde(rename = "gpulost")]
    GpuLost { reason: String, message: String },
}

/// New points of one per-step curve (loss, accuracy, …) since the last snapshot.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(u32, f32)>,
}

/// What a lab shows after some steps: read from the device in one go.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    pub step: usize,
    pub total_steps: usize,
    /// Current values for the metrics table, in display order.
    pub metrics: Vec<(String, f64)>,
    pub series: Vec<Series>,
    /// A sentence or two on what is going on, computed from the numbers.
    pub note: String,
    /// The figures that changed, by the names the lab's spec declares.
    pub figures: Vec<Figure>,
}

impl Snapshot {
    pub fn metric(&self, name: &str) -> Option<f64> {
        self.metrics.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    pub fn figure(&self, name: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// www/gpu-watch.js writes this event by hand: its shape must stay the one serde reads.
    #[test]
    fn the_gpu_watchs_message_reads_as_a_lost_device() {
        let posted = r#"{"event":"gpulost","reason":"destroyed","message":"Device was destroyed."}"#;
        match serde_json::from_str::<Event>(posted) {
            Ok(Event::GpuLost { reason, message }) => assert_eq!((reason.as_str(), message.as_str()), ("destroyed", "Device was destroyed.")),
            other => panic!("{other:?}"),
        }
        let watch = include_str!("../www/gpu-watch.js");
        assert!(watch.contains("event: 'gpulost', reason:") && watch.contains("message:"), "gpu-watch.js posts the fields read here");
    }
}
