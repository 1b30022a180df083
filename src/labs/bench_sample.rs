//! Sampling speed with the KV cache, as a hidden lab so the page
//! (`#lab=bench-sample&batch=32&backend=cpu&run=1`) and the CLI
//! (`reasonlab bench sample --batch 32`) time the very same code.
//!
//! The model is the `gpt` lab's default (2 blocks of width 96, context 64, 65
//! characters), untrained: speed does not depend on the weights. One
//! repetition writes a whole context greedily, `batch` rows at once, from one
//! token to 64, each new token read back before the next is fed (as a user's
//! sample is); one warm-up repetition, then the median of `REPS`.

use crate::backend::Workload;
use crate::figure::FigureSpec;
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
#[cfg(feature = "engine")]
use {
    crate::event::{Series, Snapshot},
    crate::labs::{LocalFuture, Training},
    crate::models::gpt::{Gpt, GptConfig, KvCache},
    crate::settings::Params,
    burn::prelude::*,
    web_time::Instant,
};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "How fast does the GPT of Day 18 write here? The `gpt` lab's default model (2 blocks of width 96, context 64) writes a whole context of 64 characters greedily, with the KV cache, for `batch` prompts at once; every new character is read back before the next step, as when the page shows a sample.",
    ],
    settings: &[Setting { key: "batch", label: "Batch", help: "Rows written at once.", kind: Kind::Int { min: 1, max: 256 }, default: "32" }],
    presets: &[Preset { name: "Batch 1", values: &[("batch", "1")] }, Preset { name: "Batch 32", values: &[("batch", "32")] }],
    workload: Workload::Large,
    figures: &[FigureSpec::curve("tokens_per_sec", "New tokens per second, each repetition")],
    data: super::no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

/// Timed repetitions after the warm-up one.
pub const REPS: usize = 5;

#[cfg(feature = "engine")]
pub struct SampleBenchLab {
    model: Gpt,
    config: GptConfig,
    batch: usize,
    /// New tokens per second of each repetition so far, the warm-up first.
    rates: Vec<f64>,
    /// A repetition was asked for; it runs (and is read) in the next snapshot.
    pending: bool,
    reported: usize,
    device: Device,
}

#[cfg(feature = "engine")]
impl SampleBenchLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let config = GptConfig::new(65, 64, 2, 4, 96).with_seed(params.u64("seed")?);
        Ok(Self { model: config.init(device), config, batch: params.usize("batch")?, rates: Vec::new(), pending: false, reported: 0, device: device.clone() })
    }

    /// One repetition: the whole context written, one read back per token.
    async fn write(&self) -> Result<f64, String> {
        let started = Instant::now();
        let mut cache = KvCache::default();
        let mut next = vec![0i64; self.batch];
        for _ in 0..self.config.block_size {
            let idx = Tensor::<2, Int>::from_data(TensorData::new(next, [self.batch, 1]), &self.device); // [B, 1]
            let logits = self.model.forward(idx, Some(&mut cache), false).logits; // [B, 1, V]
            let ids = logits.argmax(2).float().into_data_async().await.map_err(|e| format!("{e:?}"))?; // [B, 1, 1]
            next = ids.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?.into_iter().map(|i| i as i64).collect();
        }
        Ok((self.batch * self.config.block_size) as f64 / started.elapsed().as_secs_f64())
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        if std::mem::take(&mut self.pending) {
            let rate = self.write().await?;
            self.rates.push(rate);
        }
        let mut metrics = vec![("step".to_string(), self.rates.len() as f64), ("batch".to_string(), self.batch as f64)];
        if self.rates.len() > REPS {
            let mut timed = self.rates[1..].to_vec();
            timed.sort_by(f64::total_cmp);
            metrics.push(("tokens_per_sec".into(), timed[REPS / 2]));
        }
        let new = self.reported..self.rates.len();
        self.reported = self.rates.len();
        let series = vec![Series { name: "tokens_per_sec".into(), points: new.map(|i| (i as u32 + 1, self.rates[i] as f32)).collect() }];
        let note = format!(
            "{} rows × {} new tokens a repetition; one warm-up repetition, then the median of {REPS}.",
            self.batch, self.config.block_size
        );
        Ok(Snapshot { step: self.rates.len(), total_steps: self.total_steps(), metrics, series, note, figures: Vec::new() })
    }
}

#[cfg(feature = "engine")]
impl Training for SampleBenchLab {
    fn step(&mut self) {
        if !self.is_done() {
            self.pending = true;
        }
    }
    fn steps_done(&self) -> usize {
        self.rates.len() + self.pending as usize
    }
    fn total_steps(&self) -> usize {
        1 + REPS
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
    fn max_chunk(&self) -> Option<usize> {
        Some(1)
    }
}
