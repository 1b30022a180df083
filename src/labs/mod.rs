//! One file per lab: a Config with presets, `step()`, and the snapshot the page draws.

pub mod catalog;
pub mod perceptron;

pub use catalog::{find, LabInfo, LABS, WEEK_TITLES};

use crate::backend::Workload;
use crate::event::Snapshot;
use crate::settings::{Params, Setting};
use burn::prelude::Device;

/// A named set of settings the page offers as one click.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub values: &'static [(&'static str, &'static str)],
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
}

/// The spec of a lab that is built; `None` for labs still to come.
pub fn spec(id: &str) -> Option<&'static LabSpec> {
    match id {
        "perceptron" => Some(&perceptron::SPEC),
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
pub enum Lab {
    Perceptron(Box<perceptron::PerceptronLab>),
}

impl Lab {
    pub fn new(id: &str, params: &Params, device: &Device) -> Result<Lab, String> {
        match id {
            "perceptron" => Ok(Lab::Perceptron(Box::new(perceptron::PerceptronLab::new(params, device)?))),
            _ => Err(format!("lab {} is not built yet", crate::settings::quote(id))),
        }
    }

    /// One optimizer step. Reads nothing back from the device.
    pub fn step(&mut self) {
        match self {
            Lab::Perceptron(lab) => lab.step(),
        }
    }

    pub fn steps_done(&self) -> usize {
        match self {
            Lab::Perceptron(lab) => lab.steps_done(),
        }
    }

    pub fn total_steps(&self) -> usize {
        match self {
            Lab::Perceptron(lab) => lab.total_steps(),
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
        }
    }
}
