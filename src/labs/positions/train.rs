//! Day 20's training: four GPTs, one per kind of position, built for twice
//! the training context and trained in lock-step on the same batches (half
//! text windows, half probe rows, all of length T). Every EVAL_EVERY steps,
//! one read brings back their losses, held-out text loss and probe accuracy
//! by position at T and at 2T.

use crate::stats::share_metrics;
use super::{PositionsView, KINDS};
use crate::data::chars::{windows, CharVocab};
use crate::data::sequences::lag_probe;
use crate::data::text::toy_corpus;
use crate::event::{Series, Snapshot};
use crate::labs::twins::{self, Twin};
use crate::labs::{LocalFuture, Training};
use crate::models::gpt::{lm_loss, Gpt, GptConfig, Positions};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;

/// The kinds of `KINDS`, in the same order.
const POSITIONS: [Positions; 4] = [Positions::None, Positions::Learned, Positions::Sinusoidal, Positions::Rope];
/// Text windows per step, and as many probe rows.
const BATCH: usize = 16;
/// Held-out text windows and probe rows of each evaluation.
const EVAL_ROWS: usize = 64;
const EVAL_EVERY: usize = 50;
/// Sentences of the toy corpus: about 70,000 characters.
const SENTENCES: usize = 2000;
const DIGITS: &str = "0123456789";
const BLANK: &str = "_";

/// Fixed held-out rows on the plain device: inputs and targets.
struct Rows {
    x: Tensor<2, Int>,
    y: Tensor<2, Int>,
}

impl Rows {
    fn new((x, y): (Vec<i64>, Vec<i64>), len: usize, device: &Device) -> Self {
        let rows = x.len() / len;
        Rows { x: Tensor::from_data(TensorData::new(x, [rows, len]), device), y: Tensor::from_data(TensorData::new(y, [rows, len]), device) }
    }

    /// Accuracy at each position over the rows: [len].
    fn accuracy(&self, model: &Gpt) -> Tensor<1> {
        let [rows, len] = self.x.dims();
        let guess = model.logits(self.x.clone()).argmax(2).reshape([rows, len]); // [R, len]
        guess.equal(self.y.clone()).float().mean_dim(0).reshape([len]) // [len]
    }
}

pub struct PositionsLab {
    twins: [Twin; 4],
    train: Vec<u32>,
    digits: Vec<i64>,
    blank: i64,
    val: Rows,
    probe: Rows,
    long: Rows,
    context: usize,
    lag: usize,
    rng: Rng,
    lr: f64,
    steps: usize,
    step: usize,
    last_eval: Option<usize>,
    view: PositionsView,
    device: Device,
}

impl PositionsLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        let (t, lag) = (params.usize("context")?, params.usize("lag")?);
        let (layers, heads, width) = (params.usize("layers")?, params.usize("heads")?, params.usize("width")?);
        if lag >= t {
            return Err(format!("A lag of {lag} leaves nothing to copy in rows of {t}: pick a lag below the context."));
        }
        let plain = device.clone();
        let device = device.clone().autodiff();
        let text: Vec<char> = toy_corpus(SENTENCES, seed).chars().collect();
        let vocab = CharVocab::of(&format!("{}{DIGITS}{BLANK}", text.iter().collect::<String>()));
        let cut = text.len() * 9 / 10;
        let encode = |chars: &[char]| vocab.encode(&chars.iter().collect::<String>());
        let (train, val) = (encode(&text[..cut]), encode(&text[cut..]));
        let digits: Vec<i64> = vocab.encode(DIGITS).into_iter().map(i64::from).collect();
        let blank = vocab.encode(BLANK)[0] as i64;
        let mut held_out = Rng::new(0x7E57);
        // Room for 2T positions in every model; the probe reads them all.
        let config = GptConfig::new(vocab.len(), 2 * t, layers, heads, width).with_seed(seed);
        Ok(Self {
            // The same seed: the blocks and token embeddings start the same in all four.
            twins: POSITIONS.map(|kind| Twin::new(config.clone().with_positions(kind).init(&device))),
            val: Rows::new(windows(&val, EVAL_ROWS, t, &mut held_out), t, &plain),
            probe: Rows::new(lag_probe(&mut held_out, EVAL_ROWS, t, lag, &digits, blank), t, &plain),
            long: Rows::new(lag_probe(&mut held_out, EVAL_ROWS, 2 * t, lag, &digits, blank), 2 * t, &plain),
            train,
            digits,
            blank,
            context: t,
            lag,
            rng: Rng::new(seed ^ 0x9051),
            lr: params.f64("lr")?,
            steps: params.usize("steps")?,
            step: 0,
            last_eval: None,
            view: PositionsView { context: t, lag, ..Default::default() },
            device,
        })
    }

    pub async fn read(&mut self) -> Result<(Snapshot, PositionsView), String> {
        let t = self.context;
        let done = self.step >= self.steps;
        let due = self.last_eval.is_none_or(|at| self.step >= at + EVAL_EVERY || (done && at != self.step));
        let models: Vec<Gpt> = if due { self.twins.iter().map(|tw| tw.model().valid()).collect() } else { Vec::new() };
        let (n, mut parts) = twins::pending(&mut self.twins);
        for model in &models {
            parts.push(lm_loss(model.logits(self.val.x.clone()), self.val.y.clone())); // [1]
            parts.push(self.probe.accuracy(model)); // [T]
            parts.push(self.long.accuracy(model)); // [2T]
        }
        let mut series = Vec::new();
        if !parts.is_empty() {
            let values = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
            let values = values.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let (losses, evals) = values.split_at(4 * n);
            let first = self.step - n;
            for (k, twin) in self.twins.iter_mut().enumerate() {
                let points = twin.losses(&losses[k * n..(k + 1) * n], first, &format!("model with {} positions", KINDS[k]), self.lr)?;
                series.push(Series { name: format!("{}_loss", KINDS[k]), points });
            }
            for (k, e) in evals.chunks(1 + 3 * t).enumerate() {
                let step = self.step as f32;
                self.view.val_history[k].push((step, e[0]));
                self.view.probe_history[k].push((step, e[1..1 + t].iter().sum::<f32>() / t as f32));
                self.view.by_position[k] = e[1 + t..].to_vec();
            }
            if due {
                self.last_eval = Some(self.step);
            }
        }
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        if !self.view.by_position[0].is_empty() {
            for (k, name) in KINDS.iter().enumerate() {
                metrics.push((format!("{name}_val_loss"), self.view.val_loss(k) as f64));
                metrics.extend(share_metrics(&format!("{name}_probe_accuracy"), self.view.probe_accuracy(k) as f64, self.probe.x.dims()[0]));
                metrics.extend(share_metrics(&format!("{name}_long_accuracy"), self.view.long_accuracy(k) as f64, self.long.x.dims()[0]));
            }
        }
        let note = format!(
            "Four models of {} parameters (with learned positions), the same but for their positions, trained on rows of {t} (half text, half probe); evaluated every {EVAL_EVERY} steps on {EVAL_ROWS} held-out text windows, {EVAL_ROWS} probe rows of {t} and {EVAL_ROWS} of {}. The learned table has {} rows: the last {t} are never trained.",
            self.twins[1].model().num_params(),
            2 * t,
            2 * t
        );
        Ok((Snapshot { step: self.step, total_steps: self.steps, metrics, series, note, figures: Vec::new() }, self.view.clone()))
    }
}

impl Training for PositionsLab {
    /// One step of each model on the same batch: forward → loss → backward →
    /// gradients → Adam.
    fn step(&mut self) {
        let t = self.context;
        let (mut x, mut y) = windows(&self.train, BATCH, t, &mut self.rng);
        let (px, py) = lag_probe(&mut self.rng, BATCH, t, self.lag, &self.digits, self.blank);
        x.extend(px);
        y.extend(py);
        let x = Tensor::<2, Int>::from_data(TensorData::new(x, [2 * BATCH, t]), &self.device); // [2B, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(y, [2 * BATCH, t]), &self.device); // [2B, T]
        for twin in &mut self.twins {
            let model = twin.take();
            let logits = model.logits(x.clone()); // [2B, T, V]
            let loss = lm_loss(logits, y.clone()); // [1]
            let grads = loss.backward();
            let grads = GradientsParams::from_grads(grads, &model);
            let model = twin.optim.step(self.lr, model, grads);
            twin.put(model, loss);
        }
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.steps
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}
