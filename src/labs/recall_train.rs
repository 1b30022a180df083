//! Days 10 and 14: RNN, LSTM (and attention) trained in turn on the same recall
//! batches, scored at fixed distances, with the gradient that reaches each step.

use crate::stats::share_metrics;
use crate::data::sequences::{recall_batch, RECALL_VOCAB};
use crate::event::{Series, Snapshot};
use crate::labs::recall::{measured_distances, ModelResult, RecallView};
use crate::models::lstm::{Lstm, LstmConfig};
use crate::models::rnn::{Rnn, RnnConfig};
use crate::models::self_attention::{SelfAttentionNet, SelfAttentionNetConfig};
use crate::rng::Rng;
use crate::labs::Training;
use crate::settings::Params;
use burn::grad_clipping::GradientClippingConfig;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use web_time::Instant;

/// Score every this many steps of each model (and at the end).
const EVAL_EVERY: usize = 50;
/// Fresh sequences scored at each distance.
const EVAL_BATCH: usize = 128;
/// The gradient chart reaches back at most this many steps.
const GRAD_STEPS: usize = 100;

enum Net {
    Rnn(Rnn),
    Lstm(Lstm),
    Attention(SelfAttentionNet),
}

impl Net {
    /// The looked-up inputs, [B, T, E]: the gradient probe is added here.
    fn embed(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        match self {
            Net::Rnn(m) => m.input.forward(tokens),
            Net::Lstm(m) => m.input.forward(tokens),
            Net::Attention(m) => m.embed(tokens),
        }
    }

    /// Logits at the question mark, the last position: [B, V].
    fn answer(&self, xs: Tensor<3>) -> Tensor<2> {
        let [b, t, _] = xs.dims();
        let device = xs.device();
        let logits = match self {
            Net::Rnn(m) => m.forward_embedded(xs, Tensor::zeros([b, m.recur.weight.dims()[0]], &device)).0,
            Net::Lstm(m) => {
                let zero = || Tensor::zeros([b, m.hidden], &device);
                m.forward_embedded(xs, (zero(), zero())).0
            }
            Net::Attention(m) => m.forward_embedded(xs).0,
        }; // [B, T, V]
        let v = logits.dims()[2];
        logits.slice([0..b, t - 1..t, 0..v]).reshape([b, v]) // [B, V]
    }

    fn params(&self) -> usize {
        match self {
            Net::Rnn(m) => m.num_params(),
            Net::Lstm(m) => m.num_params(),
            Net::Attention(m) => m.num_params(),
        }
    }

    fn step(self, optim: &mut ModuleOptimizer, lr: f64, grads: burn::tensor::Gradients) -> Self {
        match self {
            Net::Rnn(m) => {
                let g = GradientsParams::from_grads(grads, &m);
                Net::Rnn(optim.step(lr, m, g))
            }
            Net::Lstm(m) => {
                let g = GradientsParams::from_grads(grads, &m);
                Net::Lstm(optim.step(lr, m, g))
            }
            Net::Attention(m) => {
                let g = GradientsParams::from_grads(grads, &m);
                Net::Attention(optim.step(lr, m, g))
            }
        }
    }
}

struct Run {
    name: &'static str,
    net: Option<Net>,
    optim: ModuleOptimizer,
    rng: Rng,
    step: usize,
    busy: f64,
    pending: Vec<Tensor<1>>,
    accuracy: Vec<f32>,
    grad_norms: Vec<f32>,
    steps_to_90: Option<usize>,
    last_eval: Option<usize>,
}

pub struct RecallLab {
    runs: Vec<Run>,
    /// Day 14: the report of three models rather than Day 10's gradient flow.
    report: bool,
    len: usize,
    distances: Vec<usize>,
    batch: usize,
    lr: f64,
    steps: usize,
    device: Device,
}

impl RecallLab {
    /// `attention`: Day 14's three models; otherwise Day 10's two.
    pub fn new(attention: bool, params: &Params, device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let device = device.clone().autodiff();
        let max = params.usize("max_distance")?;
        let len = max + 1;
        let hidden = params.usize("hidden")?;
        let clip = params.f64("clip")?;
        let mut names = vec!["rnn", "lstm"];
        if attention {
            names.push("attention");
        }
        let runs = names
            .into_iter()
            .map(|name| {
                let net = match name {
                    "rnn" => Net::Rnn(RnnConfig::new(RECALL_VOCAB, hidden).with_seed(seed).init(&device)),
                    "lstm" => Net::Lstm(LstmConfig::new(RECALL_VOCAB, hidden).with_seed(seed).init(&device)),
                    _ => Net::Attention(SelfAttentionNetConfig::new(RECALL_VOCAB, len, hidden, 1).with_seed(seed).init(&device)),
                };
                Run {
                    name,
                    net: Some(net),
                    optim: AdamConfig::new().with_grad_clipping((clip > 0.0).then(|| GradientClippingConfig::Norm(clip as f32))).init(),
                    // The same batches for every model.
                    rng: Rng::new(seed ^ 0x7EC4),
                    step: 0,
                    busy: 0.0,
                    pending: Vec::new(),
                    accuracy: Vec::new(),
                    grad_norms: Vec::new(),
                    steps_to_90: None,
                    last_eval: None,
                }
            })
            .collect();
        Ok(Self { runs, report: attention, len, distances: measured_distances(max), batch: params.usize("batch")?, lr: params.f64("lr")?, steps: params.usize("steps")?, device })
    }

    fn tokens(&self, x: Vec<i64>, rows: usize) -> Tensor<2, Int> {
        let len = x.len() / rows;
        Tensor::from_data(TensorData::new(x, [rows, len]), &self.device)
    }

    /// Accuracy at each measured distance on fixed fresh sequences: [n_distances].
    fn accuracy(&self, net: &Net) -> Tensor<1> {
        let mut rng = Rng::new(0xACC);
        let parts = self
            .distances
            .iter()
            .map(|d| {
                let (x, y) = recall_batch(&mut rng, EVAL_BATCH, d + 1, Some(*d));
                let y = Tensor::<1, Int>::from_data(TensorData::new(y, [EVAL_BATCH]), &self.device);
                let guess = net.answer(net.embed(self.tokens(x, EVAL_BATCH))).detach().argmax(1).reshape([EVAL_BATCH]); // [B]
                guess.equal(y).float().mean() // [1]
            })
            .collect();
        Tensor::cat(parts, 0)
    }

    /// ‖∂loss/∂x_{T−1−k}‖ averaged over a batch with the key first: the
    /// gradient that reaches the input k steps before the question. Recurrent
    /// models read any length, so they are probed on GRAD_STEPS + 1 tokens
    /// whatever they train on; attention only knows its trained positions.
    fn grad_norms(&self, net: &Net) -> Tensor<1> {
        let len = if matches!(net, Net::Attention(_)) { self.len } else { GRAD_STEPS + 1 };
        let mut rng = Rng::new(0x6AD);
        let (x, y) = recall_batch(&mut rng, EVAL_BATCH, len, Some(len - 1));
        let xs = net.embed(self.tokens(x, EVAL_BATCH)).detach(); // [B, T, E]
        let probe = Tensor::<3>::zeros(xs.dims(), &self.device).require_grad(); // [B, T, E]
        let logits = net.answer(xs + probe.clone()); // [B, V]
        let y = Tensor::<1, Int>::from_data(TensorData::new(y, [EVAL_BATCH]), &self.device);
        let grads = CrossEntropyLossConfig::new().init(&self.device).forward(logits, y).backward();
        let g = probe.grad(&grads).expect("the probe is tracked"); // [B, T, E]
        let norms = g.powi_scalar(2).sum_dim(2).sqrt().mean_dim(0).reshape([len]); // [T]
        norms.flip([0]) // [k = 0, 1, …]
    }

    pub async fn read(&mut self) -> Result<(Snapshot, RecallView), String> {
        let mut metrics = vec![("step".to_string(), self.steps_done() as f64)];
        let mut series = Vec::new();
        for k in 0..self.runs.len() {
            let run = &self.runs[k];
            let due = run.last_eval.is_none_or(|e| run.step >= e + EVAL_EVERY || (run.step >= self.steps && e != run.step));
            let losses = std::mem::take(&mut self.runs[k].pending);
            let n = losses.len();
            let mut parts: Vec<Tensor<1>> = losses.into_iter().map(|t| t.inner()).collect();
            let scored = if due {
                let net = self.runs[k].net.as_ref().expect("model is present between steps");
                parts.push(self.accuracy(net).inner());
                parts.push(self.grad_norms(net));
                true
            } else {
                false
            };
            if parts.is_empty() {
                continue;
            }
            let values = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let run = &mut self.runs[k];
            let first = run.step - n;
            if let Some((i, l)) = values[..n].iter().enumerate().find(|(_, l)| !l.is_finite()) {
                return Err(format!("The {} diverged at its step {}: the loss became {l}. Turn on gradient clipping or lower the learning rate, then press Reset.", run.name, first + i + 1));
            }
            series.push(Series { name: format!("{}_loss", run.name), points: values[..n].iter().enumerate().map(|(i, l)| ((first + i + 1) as u32, *l)).collect() });
            if scored {
                let d = self.distances.len();
                run.accuracy = values[n..n + d].to_vec();
                run.grad_norms = values[n + d..].to_vec();
                run.last_eval = Some(run.step);
                let mean = run.accuracy.iter().sum::<f32>() / d as f32;
                if run.steps_to_90.is_none() && mean >= 0.9 {
                    run.steps_to_90 = Some(run.step);
                }
                series.push(Series { name: format!("{}_accuracy", run.name), points: vec![(run.step as u32, mean)] });
            }
        }
        let mut models = Vec::new();
        for run in &self.runs {
            for (d, a) in self.distances.iter().zip(&run.accuracy) {
                metrics.extend(share_metrics(&format!("{}_accuracy_at_{d}", run.name), *a as f64, EVAL_BATCH));
            }
            let ms = if run.step > 0 { 1000.0 * run.busy / run.step as f64 } else { 0.0 };
            metrics.push((format!("{}_ms_per_step", run.name), ms));
            metrics.extend(run.steps_to_90.map(|s| (format!("{}_steps_to_90", run.name), s as f64)));
            let net = run.net.as_ref().expect("model is present between steps");
            let sequential_ops = if matches!(net, Net::Attention(_)) { 1 } else { self.len };
            models.push(ModelResult {
                name: run.name.to_string(),
                accuracy: if run.accuracy.is_empty() { vec![f32::NAN; self.distances.len()] } else { run.accuracy.clone() },
                grad_norms: run.grad_norms.clone(),
                steps: run.step,
                ms_per_step: ms,
                steps_to_90: run.steps_to_90,
                sequential_ops,
                params: net.params(),
            });
        }
        let note = format!(
            "Sequences of D + 1 tokens: the key first (8 possible, so a guess is right 1 time in 8), D − 1 noise symbols, and the question. Training draws D from 1 to {} for each batch. Accuracy on {EVAL_BATCH} fresh sequences per distance, every {EVAL_EVERY} steps of each model. For the longest sequence the recurrent models take {} steps one after another; attention takes one.",
            self.len - 1, self.len
        );
        let view = RecallView { distances: self.distances.clone(), models, note: note.clone() };
        Ok((Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics, series, note, figures: Vec::new() }, view))
    }
}

impl Training for RecallLab {
    /// One step of the model that is behind: forward, cross-entropy at the
    /// question, backward, Adam.
    fn step(&mut self) {
        let Some(k) = (0..self.runs.len()).filter(|k| self.runs[*k].step < self.steps).min_by_key(|k| self.runs[*k].step) else { return };
        let started = Instant::now();
        // A distance for the whole batch; the key comes first, so the sequence is D + 1 long.
        let rng = &mut self.runs[k].rng;
        let d = 1 + rng.below(self.len as u64 - 1) as usize;
        let (x, y) = recall_batch(rng, self.batch, d + 1, Some(d));
        let tokens = self.tokens(x, self.batch);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(y, [self.batch]), &self.device);
        let run = &mut self.runs[k];
        let net = run.net.take().expect("model is present between steps");
        let logits = net.answer(net.embed(tokens)); // [B, V]
        let loss = CrossEntropyLossConfig::new().init(&self.device).forward(logits, targets); // [1]
        let grads = loss.backward();
        run.net = Some(net.step(&mut run.optim, self.lr, grads));
        run.pending.push(loss.detach());
        run.step += 1;
        run.busy += started.elapsed().as_secs_f64();
    }
    fn steps_done(&self) -> usize {
        self.runs.iter().map(|r| r.step).sum()
    }
    fn total_steps(&self) -> usize {
        self.steps * self.runs.len()
    }
    fn snapshot(&mut self) -> crate::labs::LocalFuture<'_, Result<Snapshot, String>> {
        let report = self.report;
        crate::labs::with_figures(self.read(), move |view| view.figures(report))
    }
}
