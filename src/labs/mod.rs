//! One file per lab: a Config with presets, `step()`, and the snapshot the page draws.

pub mod bench;
pub mod catalog;
#[cfg(feature = "engine")]
pub mod gpt_train;
pub mod perceptron;

pub use catalog::{find, LabInfo, LABS, WEEK_TITLES};

use crate::backend::Workload;
#[cfg(feature = "engine")]
use crate::event::Snapshot;
use crate::settings::Setting;
#[cfg(feature = "engine")]
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
}

/// The spec of a lab that is built; `None` for labs still to come.
pub fn spec(id: &str) -> Option<&'static LabSpec> {
    match id {
        "perceptron" => Some(&perceptron::SPEC),
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
    Bench(Box<bench::BenchLab>),
}

#[cfg(feature = "engine")]
impl Lab {
    pub fn new(id: &str, params: &Params, device: &Device) -> Result<Lab, String> {
        match id {
            "perceptron" => Ok(Lab::Perceptron(Box::new(perceptron::PerceptronLab::new(params, device)?))),
            "bench" => Ok(Lab::Bench(Box::new(bench::BenchLab::new(params, device)?))),
            _ => Err(format!("lab {} is not built yet", crate::settings::quote(id))),
        }
    }

    /// One optimizer step. Reads nothing back from the device.
    pub fn step(&mut self) {
        match self {
            Lab::Perceptron(lab) => lab.step(),
            Lab::Bench(lab) => lab.step(),
        }
    }

    pub fn steps_done(&self) -> usize {
        match self {
            Lab::Perceptron(lab) => lab.steps_done(),
            Lab::Bench(lab) => lab.steps_done(),
        }
    }

    pub fn total_steps(&self) -> usize {
        match self {
            Lab::Perceptron(lab) => lab.total_steps(),
            Lab::Bench(lab) => lab.total_steps(),
        }
    }

    /// The most steps to take between two snapshots, if the lab needs a limit
    /// (the benchmark times each step up to its loss read-back).
    pub fn max_chunk(&self) -> Option<usize> {
        match self {
            Lab::Perceptron(_) => None,
            Lab::Bench(_) => Some(bench::BenchLab::CHUNK),
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
            Lab::Bench(lab) => lab.snapshot().await,
        }
    }
}
