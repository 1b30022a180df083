//! Day 16's training: two stacks of GPT blocks, without and with the causal
//! mask, learn to fill in hidden characters in lock-step on the same batches;
//! at each snapshot both are scored on the same held-out set.

use crate::stats::share_metrics;
use super::{note, EncoderView, MASK, MODELS};
use crate::data::chars::{mask_chars, windows, CharCorpus};
use crate::data::text::toy_corpus;
use crate::event::{Series, Snapshot};
use crate::labs::twins::{self, Twin};
use crate::labs::{LocalFuture, Training};
use crate::models::gpt::{Gpt, GptConfig, Positions};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// Characters per window (the GPT's block size).
const SEQ: usize = 32;
/// Windows per training step.
const BATCH: usize = 32;
/// Held-out windows the accuracy is measured on.
const EVAL: usize = 128;
/// Both models are scored on the held-out set this often (and at the first and
/// last snapshot): scoring costs more than a training step, and the page
/// snapshots every few steps.
const EVAL_EVERY: usize = 20;
/// Sentences of the toy corpus: about 70,000 characters.
const SENTENCES: usize = 2000;

/// Windows with hidden characters: inputs [N, T], the flat positions that are
/// hidden [M] and the characters they hide [M].
struct Masked {
    x: Tensor<2, Int>,
    at: Tensor<1, Int>,
    y: Tensor<1, Int>,
    /// The first window's inputs, kept on the host for the figures (the web
    /// path never reads a tensor synchronously).
    first: Vec<i64>,
}

impl Masked {
    fn new(ids: &[i64], rate: f64, mask_id: i64, rng: &mut Rng, device: &Device) -> Self {
        let rows = ids.len() / SEQ;
        let (x, at, y) = mask_chars(ids, SEQ, rate, mask_id, rng);
        let m = at.len();
        let first = x[..SEQ].to_vec();
        Masked {
            first,
            x: Tensor::from_data(TensorData::new(x, [rows, SEQ]), device),
            at: Tensor::from_data(TensorData::new(at, [m]), device),
            y: Tensor::from_data(TensorData::new(y, [m]), device),
        }
    }
}

/// The logits at the hidden positions only: [M, V].
fn hidden_logits(model: &Gpt, batch: &Masked) -> Tensor<2> {
    let logits = model.logits(batch.x.clone()); // [N, T, V]
    let [n, t, v] = logits.dims();
    logits.reshape([n * t, v]).select(0, batch.at.clone()) // [M, V]
}

pub struct EncoderLab {
    /// Bidirectional, then causal.
    twins: [Twin; 2],
    train: Vec<u32>,
    chars: Vec<char>,
    mask_id: i64,
    rate: f64,
    /// The held-out set, on the plain device.
    eval: Masked,
    /// The first held-out window, drawn in the figures: its ids before masking.
    probe: Vec<i64>,
    /// The latest scores of both models (see `score`) and the step they are of.
    scores: Vec<f32>,
    scored_at: Option<usize>,
    rng: Rng,
    lr: f64,
    steps: usize,
    step: usize,
    device: Device,
}

impl EncoderLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        let plain = device.clone();
        let device = device.clone().autodiff();
        let corpus = CharCorpus::new(&toy_corpus(SENTENCES, seed), SEQ)?;
        let mut chars = corpus.vocab.chars.clone();
        chars.push(MASK); // the last id: never a character of the text
        let mask_id = (chars.len() - 1) as i64;
        let config = GptConfig::new(chars.len(), SEQ, params.usize("layers")?, params.usize("heads")?, params.usize("width")?).with_positions(Positions::Rope).with_seed(seed);
        // RoPE rather than learned positions: without a mask, attention must
        // learn to find a character's neighbours, which relative positions
        // give it at once (learned ones left the encoder guessing spaces for
        // 600 steps, at 20 %). The same seed gives both the same weights: only
        // the mask differs.
        let twin = |causal: bool| Twin::new(config.clone().with_causal(causal).init(&device));
        let rate = params.f64("mask_rate")?;
        // Held-out windows start at sentence starts, so the probe reads well.
        let starts: Vec<usize> = (1..corpus.val.len() - SEQ).filter(|&i| corpus.vocab.chars[corpus.val[i - 1] as usize] == ' ' && corpus.vocab.chars[corpus.val[i.saturating_sub(2)] as usize] == '.').collect();
        let held_out: Vec<i64> = starts.iter().cycle().take(EVAL).flat_map(|&s| corpus.val[s..s + SEQ].iter().map(|&c| c as i64)).collect();
        let eval = Masked::new(&held_out, rate, mask_id, &mut Rng::new(0xE7C0DE), &plain);
        Ok(Self {
            twins: [twin(false), twin(true)],
            train: corpus.train,
            chars,
            mask_id,
            rate,
            eval,
            probe: held_out[..SEQ].to_vec(),
            scores: Vec::new(),
            scored_at: None,
            rng: Rng::new(seed ^ 0xE7C),
            lr: params.f64("lr")?,
            steps: params.usize("steps")?,
            step: 0,
            device,
        })
    }

    /// One model on the held-out set and the probe, all on the device: its
    /// accuracy [1], then per probe position the likeliest character's
    /// probability [T] and id [T], then its attention [T·T].
    fn score(&self, model: &Gpt) -> Tensor<1> {
        let hits = hidden_logits(model, &self.eval).argmax(1).reshape([-1]).equal(self.eval.y.clone()).float().mean(); // [1]
        let probe = self.eval.x.clone().slice([0..1, 0..SEQ]); // [1, T]
        let out = model.forward(probe, None, true);
        let probs = softmax(out.logits, 2); // [1, T, V]
        let best = probs.clone().max_dim(2).reshape([SEQ]); // [T]
        let guess = probs.argmax(2).float().reshape([SEQ]); // [T]
        let last = out.attention.into_iter().last().expect("at least one block"); // [1, H, T, T]
        let attention = last.mean_dim(1).reshape([SEQ * SEQ]); // [T·T]
        Tensor::cat(vec![hits, best, guess, attention], 0)
    }

    pub async fn read(&mut self) -> Result<(Snapshot, EncoderView), String> {
        let (n, mut parts) = twins::pending(&mut self.twins);
        let done = self.step >= self.steps;
        let due = self.scored_at.is_none_or(|at| self.step >= at + EVAL_EVERY || (done && at != self.step));
        if due {
            for twin in &self.twins {
                parts.push(self.score(&twin.model().valid()));
            }
        }
        let values = if parts.is_empty() { Vec::new() } else { Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))? };
        let (losses, fresh) = values.split_at(2 * n);
        if due {
            self.scores = fresh.to_vec();
            self.scored_at = Some(self.step);
        }
        let scores = &self.scores;
        let first = self.step - n;
        let mut series = Vec::new();
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        let mut accuracy = [None; 2];
        let mut guesses: [Vec<(String, f32)>; 2] = Default::default();
        let mut attention: [Vec<Vec<f32>>; 2] = Default::default();
        let per_model = 1 + 2 * SEQ + SEQ * SEQ;
        for (k, twin) in self.twins.iter_mut().enumerate() {
            let points = twin.losses(&losses[k * n..(k + 1) * n], first, &format!("{} model", MODELS[k]), self.lr)?;
            let s = &scores[k * per_model..(k + 1) * per_model];
            accuracy[k] = Some(s[0]);
            let (best, rest) = s[1..].split_at(SEQ);
            let (ids, att) = rest.split_at(SEQ);
            guesses[k] = ids.iter().zip(best).map(|(&id, &p)| (self.chars.get(id as usize).copied().unwrap_or('?').to_string(), p)).collect();
            attention[k] = att.chunks(SEQ).map(<[f32]>::to_vec).collect();
            let prefix = if k == 0 { "" } else { "causal_" };
            if due {
                series.push(Series { name: format!("{prefix}accuracy"), points: vec![(self.step as u32, s[0])] });
            }
            if k == 0 {
                series.push(Series { name: "loss".into(), points });
            }
            metrics.extend(twin.last_loss.map(|v| (format!("{prefix}loss"), v as f64)));
            metrics.extend(share_metrics(&format!("{prefix}accuracy"), s[0] as f64, EVAL));
        }
        let (input, truth, hidden) = self.probe_text();
        let note = note(accuracy);
        let view = EncoderView { input, truth, hidden, guesses, attention, accuracy };
        Ok((Snapshot { step: self.step, total_steps: self.steps, metrics, series, note, figures: Vec::new() }, view))
    }

    /// The probe as the models see it, before masking, and its hidden positions.
    fn probe_text(&self) -> (Vec<String>, Vec<String>, Vec<usize>) {
        let ch = |id: i64| self.chars.get(id as usize).copied().unwrap_or('?').to_string();
        let truth: Vec<String> = self.probe.iter().map(|&id| ch(id)).collect();
        let masked = &self.eval.first;
        let hidden = masked.iter().enumerate().filter(|(_, &id)| id == self.mask_id).map(|(i, _)| i).collect();
        (masked.iter().map(|&id| ch(id)).collect(), truth, hidden)
    }
}

impl Training for EncoderLab {
    /// One step of each model on the same batch: forward → loss at the hidden
    /// positions → backward → gradients → Adam.
    fn step(&mut self) {
        let (x, _) = windows(&self.train, BATCH, SEQ, &mut self.rng);
        let batch = Masked::new(&x, self.rate, self.mask_id, &mut self.rng, &self.device);
        let loss_fn = CrossEntropyLossConfig::new().init(&self.device);
        for twin in &mut self.twins {
            let model = twin.take();
            let logits = hidden_logits(&model, &batch); // [M, V]
            let loss = loss_fn.forward(logits, batch.y.clone()); // [1]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> EncoderLab {
        let schema = crate::labs::schema("encoder");
        let mut p = Params::defaults(&schema);
        p.set(&schema, "width", "16").unwrap();
        EncoderLab::new(&p, &crate::backend::cpu()).unwrap()
    }

    #[test]
    fn the_held_out_probe_starts_a_sentence_and_hides_some_characters() {
        let lab = lab();
        let (input, truth, hidden) = lab.probe_text();
        assert_eq!((input.len(), truth.len()), (SEQ, SEQ));
        assert!(!hidden.is_empty());
        assert!(truth[0] == "a" || truth[0] == "t" || truth[0] == "w" || truth[0] == "f", "{}", truth.concat());
        for i in hidden {
            assert_eq!(input[i], MASK.to_string());
        }
    }

    /// Only the mask differs: the causal model never looks right, the encoder does.
    #[test]
    fn the_encoder_looks_both_ways_and_the_causal_twin_only_left() {
        let lab = lab();
        let probe = lab.eval.x.clone().slice([0..1, 0..SEQ]).inner(); // [1, T] on the plain device
        let _ = probe;
        let read = |k: usize| {
            let s = lab.score(&lab.twins[k].model().valid()).into_data().try_to_vec::<f32>().unwrap();
            let att = &s[1 + 2 * SEQ..];
            super::super::right_share(&att.chunks(SEQ).map(<[f32]>::to_vec).collect::<Vec<_>>())
        };
        assert_eq!(read(1), 0.0, "the causal twin's weights above the diagonal are exactly 0");
        assert!(read(0) > 0.2, "the encoder looks right too: {}", read(0));
    }
}
