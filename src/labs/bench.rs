//! The GPT training benchmark of `shared/peers/SPEC.md`, as a hidden lab so the
//! page (`#lab=bench&size=m&backend=webgpu&run=1`) and the CLI
//! (`reasonlab bench gpt --size m`) time the very same code.
//!
//! One step = forward + cross-entropy + backward + AdamW + the loss read back.
//! 5 warm-up steps (the first reported as `first_step_ms`), then 3 repetitions
//! of 20 timed steps; `step_ms` is the median of the three medians. A very slow
//! configuration gets fewer steps so that one measurement fits `budget` seconds.

use crate::backend::Workload;
use crate::figure::FigureSpec;
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
#[cfg(feature = "engine")]
use {
    crate::event::{Series, Snapshot},
    crate::labs::{LocalFuture, Training},
    crate::labs::gpt_train::GptTrainer,
    crate::models::gpt::GptConfig,
    crate::settings::Params,
    burn::prelude::*,
    web_time::Instant,
};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "How fast does the GPT of weeks 3 and 4 train here? This page runs the workload that the peer frameworks (TF.js, PyTorch, JAX, candle) were measured on: a fixed batch of random tokens, AdamW, and the loss read back after every step.",
        "GPT-S has 2 layers of width 64 over 64 tokens, batch 16 (112,512 parameters); GPT-M has 4 layers of width 128 over 128 tokens, batch 32 (826,368 parameters).",
    ],
    settings: &[
        Setting { key: "size", label: "Model", help: "GPT-S or GPT-M of the peer spec.", kind: Kind::Choice(&["s", "m"]), default: "s" },
        Setting { key: "budget", label: "Budget (s)", help: "Slow backends get fewer timed steps so that the run fits this many seconds.", kind: Kind::Int { min: 5, max: 3600 }, default: "120" },
    ],
    presets: &[
        Preset { name: "GPT-S", values: &[("size", "s")] },
        Preset { name: "GPT-M", values: &[("size", "m")] },
    ],
    workload: Workload::Large,
    figures: &[FigureSpec::curve("step_ms", "Time per step (ms), loss read back included"), FigureSpec::curve("loss", "Loss per step")],
    data: super::no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

pub const WARMUP: usize = 5;
pub const REPS: usize = 3;
pub const TIMED: usize = 20;

#[cfg(feature = "engine")]
pub struct BenchLab {
    trainer: GptTrainer,
    size: String,
    budget_ms: f64,
    warmup: usize,
    timed: usize,
    /// Wall time of every step, including the loss read-back.
    times: Vec<f64>,
    losses: Vec<f32>,
    started: Option<Instant>,
    pending: Option<Tensor<1>>,
    reported: usize,
}

#[cfg(feature = "engine")]
impl BenchLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let size = params.get("size")?.to_string();
        let config = if size == "m" { GptConfig::gpt_m() } else { GptConfig::gpt_s() };
        let batch = if size == "m" { 32 } else { 16 };
        let trainer = GptTrainer::random_batch(config.with_seed(params.u64("seed")?), batch, params.u64("seed")?, device);
        Ok(Self {
            trainer,
            size,
            budget_ms: params.f64("budget")? * 1000.0,
            warmup: WARMUP,
            timed: TIMED,
            times: Vec::new(),
            losses: Vec::new(),
            started: None,
            pending: None,
            reported: 0,
        })
    }

    /// Snapshots must follow every step: the time of a step ends when its loss is read.
    pub const CHUNK: usize = 1;

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        if let Some(loss) = self.pending.take() {
            let data = loss.into_data_async().await.map_err(|e| format!("reading the loss failed: {e:?}"))?;
            let loss: f32 = data.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?[0];
            let ms = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
            if !loss.is_finite() {
                return Err(format!("The loss became {loss} at step {}.", self.times.len() + 1));
            }
            self.times.push(ms);
            self.losses.push(loss);
            self.fit_budget();
        }
        Ok(self.report())
    }

    /// The spec's rule for slow configurations: time the second step, then fit
    /// the timed steps (and fewer warm-ups) into the budget.
    fn fit_budget(&mut self) {
        if self.times.len() != 2 {
            return;
        }
        let step = self.times[1].max(1e-3);
        let full = (WARMUP + REPS * TIMED) as f64 * step;
        if full > self.budget_ms {
            self.warmup = 2;
            self.timed = ((self.budget_ms / (3.0 * step)) as usize).clamp(1, TIMED);
        }
    }

    fn report(&mut self) -> Snapshot {
        let config = self.trainer.config();
        let batch = self.trainer.batch();
        let tokens = (batch * config.block_size) as f64;
        let mut metrics = vec![("params".to_string(), config.param_count() as f64)];
        if let Some(first) = self.times.first() {
            metrics.push(("first_step_ms".into(), *first));
        }
        if let Some(step_ms) = median_of_medians(&self.times, self.warmup, self.timed) {
            metrics.push(("step_ms".into(), step_ms));
            metrics.push(("tokens_per_sec".into(), tokens / step_ms * 1000.0));
            metrics.push(("gflops".into(), config.step_flops(batch) / step_ms / 1e6));
        }
        if let Some(loss) = self.losses.last() {
            metrics.push(("loss".into(), *loss as f64));
        }
        metrics.push(("step".into(), self.times.len() as f64));
        let new = self.reported..self.times.len();
        self.reported = self.times.len();
        let series = vec![
            Series { name: "loss".into(), points: new.clone().map(|i| (i as u32 + 1, self.losses[i])).collect() },
            Series { name: "step_ms".into(), points: new.map(|i| (i as u32 + 1, self.times[i] as f32)).collect() },
        ];
        let note = format!(
            "GPT-{}: {} parameters, batch {batch} × {} tokens. {} warm-up steps, then {REPS} repetitions of {} timed steps; step_ms is the median of the repetitions' medians.",
            self.size.to_uppercase(),
            config.param_count(),
            config.block_size,
            self.warmup,
            self.timed
        );
        Snapshot { step: self.times.len(), total_steps: self.total_steps(), metrics, series, note, figures: Vec::new() }
    }
}

#[cfg(feature = "engine")]
impl Training for BenchLab {
    fn step(&mut self) {
        if self.pending.is_some() || self.steps_done() >= self.total_steps() {
            return;
        }
        self.started = Some(Instant::now());
        self.pending = Some(self.trainer.step());
    }
    fn steps_done(&self) -> usize {
        self.times.len() + self.pending.is_some() as usize
    }
    fn total_steps(&self) -> usize {
        self.warmup + REPS * self.timed
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
    fn max_chunk(&self) -> Option<usize> {
        Some(Self::CHUNK)
    }
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// After `warmup` steps, the median of each repetition of `timed` steps, then
/// the median of those. `None` until the first repetition is complete.
pub fn median_of_medians(times: &[f64], warmup: usize, timed: usize) -> Option<f64> {
    let reps: Vec<f64> = times.get(warmup..)?.chunks_exact(timed).take(REPS).map(median).collect();
    (!reps.is_empty()).then(|| median(&reps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_medians_follows_the_spec() {
        let mut times = vec![100.0, 9.0, 9.0, 9.0, 9.0]; // warm-up
        assert_eq!(median_of_medians(&times, 5, 3), None);
        times.extend([1.0, 2.0, 30.0]); // rep 1: median 2
        assert_eq!(median_of_medians(&times, 5, 3), Some(2.0));
        times.extend([4.0, 5.0, 6.0, 7.0, 8.0, 9.0]); // reps 2 and 3: medians 5 and 8
        assert_eq!(median_of_medians(&times, 5, 3), Some(5.0));
    }
}
