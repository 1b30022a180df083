//! Day 26's training. Rollouts need read-backs (each drawn character is read
//! to pick the next), so they are drawn in `snapshot`, which may wait; `step`
//! then updates on them: forward → clipped objective, KL and (PPO) value loss
//! → backward → gradients → AdamW, `epochs` times over the batch. Without a
//! kept model, a CoT model is trained first (`warmup` steps of the `cot` lab).

use super::rollout::{roll, Batch};
use crate::data::chars::CharVocab;
use crate::data::files::{DataFiles, MODEL};
use crate::data::reasoning::{generate, vocab, Problem, Spec};
use crate::event::{Series, Snapshot};
use crate::figure::{Figure, Plot, Table, TokenLine, Tokens};
use crate::labs::reason::score::score;
use crate::labs::reason::{Format, ReasonLab};
use crate::labs::{LocalFuture, Training};
use crate::models::checkpoint;
use crate::models::gpt::{Gpt, GptConfig};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use std::collections::BTreeSet;

/// Stops: a KL per character past this has left the starting model behind.
const KL_LIMIT: f64 = 2.0;

pub struct RlLab {
    params: Params,
    ppo: bool,
    vocab: CharVocab,
    config: Option<GptConfig>,
    train: Vec<Problem>,
    val: Vec<Problem>,
    /// The CoT model being trained first, when no kept model was given.
    warm: Option<Box<ReasonLab>>,
    warm_steps: usize,
    model: Option<Gpt>,
    value: Option<Linear>,
    /// The model tuning started from, frozen (plain device).
    reference: Option<Gpt>,
    last_good: Option<Gpt>,
    optim: ModuleOptimizer,
    value_optim: ModuleOptimizer,
    batch: Option<Batch>,
    rng: Rng,
    step: usize,
    steps: usize,
    /// Per update, on the device: KL, clipped share, value loss.
    pending: Vec<Tensor<1>>,
    rewards: Vec<(u32, f32)>,
    kls: Vec<(u32, f32)>,
    metrics: Vec<(String, f64)>,
    accuracy: Option<f64>,
    start_accuracy: Option<f64>,
    last_eval: Option<usize>,
    figures: Vec<Figure>,
    /// Whether the page was told when the answers' figures come.
    told: bool,
    device: Device,
    plain: Device,
}

impl RlLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let spec = Spec::new(params.get("task")?, params.usize("level")?)?;
        // Held-out problems first, so that a small space (2-digit sums) leaves
        // some out of training.
        let val = generate(&spec, 100, seed.wrapping_add(5_000), &BTreeSet::new());
        let exclude: BTreeSet<String> = val.iter().map(|p| p.question.clone()).collect();
        let train = generate(&spec, 20_000, seed.wrapping_add(4_000), &exclude);
        if train.is_empty() {
            return Err(format!("{} at difficulty {} has too few distinct problems to hold some out: pick a higher difficulty.", spec.task, spec.level));
        }
        let plain = device.clone();
        let device = device.clone().autodiff();
        let vocab = vocab();
        let (mut warm, mut model, mut config) = (None, None, None);
        match files.get(MODEL) {
            Ok(bytes) => {
                let ck = checkpoint::decode(bytes).map_err(|e| format!("The model file cannot be loaded: {e}."))?;
                if ck.vocab != vocab.chars {
                    return Err("The model was trained on other characters than week 4's problems: pick a CoT model.".into());
                }
                model = Some(ck.to_model(&device));
                config = Some(ck.config);
            }
            Err(_) => {
                // A CoT model first, from the cot lab's own code and defaults.
                let schema = crate::labs::schema("cot");
                let mut p = Params::defaults(&schema);
                let warmup = params.usize("warmup")?.max(1).to_string();
                for key in ["task", "level", "layers", "width", "seed"] {
                    p.set(&schema, key, params.get(key)?)?;
                }
                for (key, value) in [("steps", warmup.as_str()), ("eval_every", "100000"), ("eval_n", "20"), ("positions", "rope"), ("mix", "yes")] {
                    p.set(&schema, key, value)?;
                }
                warm = Some(Box::new(ReasonLab::new(Format::Cot, &p, &plain, &DataFiles::default())?));
            }
        }
        let warm_steps = warm.as_ref().map_or(0, |w| w.total_steps());
        let mut lab = Self {
            params: params.clone(),
            ppo: params.get("method")? == "ppo",
            vocab,
            config,
            train,
            val,
            warm,
            warm_steps,
            model: None,
            value: None,
            reference: None,
            last_good: None,
            optim: AdamWConfig::new().with_beta_2(0.99).init(),
            value_optim: AdamWConfig::new().init(),
            batch: None,
            rng: Rng::new(seed ^ 0x5EED_0026),
            step: 0,
            steps: params.usize("steps")?,
            pending: Vec::new(),
            rewards: Vec::new(),
            kls: Vec::new(),
            metrics: Vec::new(),
            accuracy: None,
            start_accuracy: None,
            last_eval: None,
            figures: Vec::new(),
            told: false,
            device,
            plain,
        };
        if let Some(m) = model.take() {
            lab.begin(m);
        }
        Ok(lab)
    }

    /// Tuning starts from `model`: it becomes the frozen reference too.
    fn begin(&mut self, model: Gpt) {
        self.reference = Some(model.valid());
        self.last_good = Some(model.clone());
        let c = self.config.as_ref().map_or(64, |c| c.n_embd);
        self.value = self.ppo.then(|| LinearConfig::new(c, 1).init(&self.device));
        self.model = Some(model);
    }

    fn model(&self) -> &Gpt {
        self.model.as_ref().expect("the model is present between steps")
    }

    /// Greedy exact match on the held-out problems.
    async fn evaluate(&self) -> Result<f64, String> {
        let scored = score(&self.model().valid(), &self.vocab, &self.val, false, &self.plain).await?;
        Ok(scored.iter().filter(|s| s.correct).count() as f64 / scored.len().max(1) as f64)
    }

    /// The warm-up's snapshot, passed on with its loss curve only.
    async fn read_warmup(&mut self) -> Result<Snapshot, String> {
        let warm = self.warm.as_mut().expect("warming up");
        let mut snap = warm.read().await?;
        snap.series.retain(|s| s.name == "train_loss");
        snap.figures.clear();
        if !std::mem::replace(&mut self.told, true) {
            // The answers' figures say when they will come.
            let when = format!("Answers are drawn once the warm-up's {} steps are done.", self.warm_steps);
            snap.figures = vec![Figure::empty("rollouts", when.clone()), Figure::empty("recent", when)];
        }
        snap.total_steps = self.warm_steps + self.steps;
        snap.note = format!("Warm-up: a CoT model trained for {} steps first (no kept model picked), step {} of them. Tuning starts after it.", self.warm_steps, snap.step);
        if warm.is_done() {
            let warm = self.warm.take().expect("warming up");
            let (model, config) = warm.into_model();
            self.config = Some(config);
            self.begin(model);
        }
        Ok(snap)
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        if self.warm.is_some() {
            return self.read_warmup().await;
        }
        let mut series = Vec::new();
        // What the updates since the last snapshot measured, in one read.
        if !self.pending.is_empty() {
            let read = Tensor::cat(std::mem::take(&mut self.pending), 0).into_data_async().await.map_err(|e| format!("{e:?}"))?;
            let values = read.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let (kl, clipped, value_loss) = (values[values.len() - 3] as f64, values[values.len() - 2] as f64, values[values.len() - 1] as f64);
            if !kl.is_finite() || !value_loss.is_finite() {
                self.model = self.last_good.clone();
                return Err(format!("The KL or the loss went NaN at step {}: tuning stopped, and the model from the step before is kept. Lower the learning rate.", self.step));
            }
            if kl > KL_LIMIT {
                self.model = self.last_good.clone();
                return Err(format!("The KL exploded at step {} ({kl:.2} per character, the limit {KL_LIMIT}): the policy ran away from its start. Tuning stopped and the model from the step before is kept; raise the KL coefficient or lower the learning rate.", self.step));
            }
            self.kls.push((self.step as u32, kl as f32));
            series.push(Series { name: "kl".into(), points: vec![(self.step as u32, kl as f32)] });
            self.metrics.retain(|(k, _)| !matches!(k.as_str(), "kl" | "clip_fraction" | "value_loss"));
            self.metrics.extend([("kl".into(), kl), ("clip_fraction".into(), clipped)]);
            if self.ppo {
                self.metrics.push(("value_loss".into(), value_loss));
            }
            self.last_good = self.model.clone();
        }
        let (done, every) = (self.step >= self.steps, self.params.usize("eval_every")?);
        if self.last_eval.is_none_or(|at| self.step >= at + every || (done && at != self.step)) {
            let acc = self.evaluate().await?;
            self.start_accuracy.get_or_insert(acc);
            self.accuracy = Some(acc);
            self.last_eval = Some(self.step);
            series.push(Series { name: "accuracy".into(), points: vec![(self.step as u32, acc as f32)] });
        }
        if !done && self.batch.is_none() {
            self.draw().await?;
            let batch = self.batch.as_ref().expect("just drawn");
            series.push(Series { name: "reward".into(), points: vec![(self.step as u32, batch.mean_reward)] });
            if batch.entropy < 0.01 && batch.mean_reward < 0.2 {
                return Err(format!("The policy collapsed at step {}: it writes nearly the same characters every time (entropy {:.4} nats) and scores {:.2}. Tuning stopped; the model from the step before is kept.", self.step, batch.entropy, batch.mean_reward));
            }
        }
        Ok(self.snapshot_now(series))
    }

    /// Draws the next batch of answers with the current model.
    async fn draw(&mut self) -> Result<(), String> {
        let (q, group, temperature) = (self.params.usize("questions")?, self.params.usize("group")?, self.params.f64("temperature")?);
        let questions: Vec<&Problem> = (0..q).map(|_| &self.train[self.rng.below(self.train.len() as u64) as usize]).collect();
        let policy = self.model().valid();
        let value = self.value.as_ref().map(|v| v.valid());
        let reference = self.reference.as_ref().expect("tuning has started");
        let toy = self.params.get("reward")? == "seven";
        let batch = roll(&policy, reference, value.as_ref(), &questions, group, temperature, toy, &self.vocab, &mut self.rng, &self.plain).await?;
        self.rewards.push((self.step as u32, batch.mean_reward));
        self.metrics.retain(|(k, _)| k != "mean_reward" && k != "entropy");
        self.metrics.push(("mean_reward".into(), batch.mean_reward as f64));
        self.metrics.push(("entropy".into(), batch.entropy as f64));
        self.figures = answers_figures(&batch);
        self.batch = Some(batch);
        Ok(())
    }

    fn snapshot_now(&mut self, series: Vec<Series>) -> Snapshot {
        let mut metrics = vec![("step".to_string(), (self.warm_steps + self.step) as f64)];
        metrics.extend(self.metrics.iter().cloned());
        metrics.extend(self.accuracy.map(|a| ("accuracy".to_string(), a)));
        metrics.extend(self.start_accuracy.map(|a| ("start_accuracy".to_string(), a)));
        let method = if self.ppo { "PPO" } else { "GRPO" };
        let gain = match (self.accuracy, self.start_accuracy) {
            (Some(a), Some(s)) => format!(" Held-out accuracy {:.1} % (it started at {:.1} %).", 100.0 * a, 100.0 * s),
            _ => String::new(),
        };
        let note = format!(
            "{method}: {} questions a step, {} answers each, drawn at temperature {}; {}; KL coefficient {}.{gain}",
            self.params.get("questions").unwrap_or("?"),
            self.params.get("group").unwrap_or("?"),
            self.params.get("temperature").unwrap_or("?"),
            if self.params.get("reward").unwrap_or("answer") == "seven" { "the toy reward: 1 when the answer written is 7, whatever the question" } else { "reward 1 for the right answer, 0.1 for a wrong one with an answer line" },
            self.params.get("kl").unwrap_or("?"),
        );
        Snapshot { step: self.warm_steps + self.step, total_steps: self.warm_steps + self.steps, metrics, series, note, figures: std::mem::take(&mut self.figures) }
    }

    /// One update on the batch: `epochs` optimizer steps.
    fn update(&mut self, batch: &Batch) {
        let (b, t) = (batch.b, batch.t);
        let d = &self.device;
        let floats = |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [b, t]), d); // [B, T]
        let x = Tensor::<2, Int>::from_data(TensorData::new(batch.x.clone(), [b, t]), d); // [B, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(batch.y.clone(), [b, t]), d).unsqueeze_dim::<3>(2); // [B, T, 1]
        let (mask, old, reference, adv) = (floats(&batch.mask), floats(&batch.old_logp), floats(&batch.ref_logp), floats(&batch.advantages));
        let n = batch.mask.iter().sum::<f32>().max(1.0);
        let (clip, kl_coef) = (self.params.f64("clip").unwrap_or(0.2) as f32, self.params.f64("kl").unwrap_or(0.02) as f32);
        let lr = self.params.f64("lr").unwrap_or(3e-4);
        for _ in 0..self.params.usize("epochs").unwrap_or(1) {
            let model = self.model.take().expect("the model is present between steps");
            let (streams, _) = model.streams(x.clone());
            let last = streams.into_iter().last().expect("the embeddings at least"); // [B, T, C]
            let logp = log_softmax(model.readout(last.clone()), 2).gather(2, y.clone()).reshape([b, t]); // [B, T]
            let ratio = (logp.clone() - old.clone()).exp(); // [B, T]
            let surrogate = (ratio.clone() * adv.clone()).min_pair(ratio.clone().clamp(1.0 - clip, 1.0 + clip) * adv.clone()); // [B, T]
            let policy_loss = -(surrogate * mask.clone()).sum() / n; // [1]
            let diff = reference.clone() - logp; // [B, T]
            let kl = ((diff.clone().exp() - diff - 1.0) * mask.clone()).sum() / n; // [1]
            let clipped = ((ratio.clone() - 1.0).abs().greater_elem(clip).float() * mask.clone()).sum() / n; // [1]
            let mut loss = policy_loss + kl.clone() * kl_coef;
            let mut value_loss = Tensor::<1>::zeros([1], d);
            if let Some(value) = &self.value {
                let v = value.forward(last).reshape([b, t]); // [B, T]
                let err = v - floats(&batch.targets);
                value_loss = (err.clone() * err * mask.clone()).sum() / n;
                loss = loss + value_loss.clone() * 0.5;
            }
            let mut grads = loss.backward();
            let model_grads = GradientsParams::from_module(&mut grads, &model);
            if let Some(value) = self.value.take() {
                let value_grads = GradientsParams::from_module(&mut grads, &value);
                self.value = Some(self.value_optim.step(lr, value, value_grads));
            }
            self.model = Some(self.optim.step(lr, model, model_grads));
            self.pending = vec![kl.detach(), clipped.detach(), value_loss.detach()];
        }
    }
}

/// The batch's answers: the first few shaded by advantage, and a table.
fn answers_figures(batch: &Batch) -> Vec<Figure> {
    let shown = &batch.answers[..batch.answers.len().min(4)];
    let lines = shown
        .iter()
        .map(|a| TokenLine {
            label: format!("{}: reward {:.1}", a.question, a.reward),
            tokens: a.written.chars().map(|c| crate::labs::sampling::visible(&c.to_string())).collect(),
            // 0.5 is no advantage; darker helped, paler hurt.
            shades: a.advantages.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect(),
            marks: Vec::new(),
            accents: Vec::new(),
        })
        .collect();
    let rows = batch.answers.iter().take(16).map(|a| vec![a.question.clone(), a.written.replace('\n', " ⏎ "), format!("{:.1}", a.reward), format!("{:+.2}", a.advantages.iter().sum::<f32>() / a.advantages.len().max(1) as f32)]).collect();
    vec![
        Figure::new("rollouts", Plot::Tokens(Tokens { lines, shade_desc: "the character's advantage (mid blue: none; darker: better than expected)".into(), mark_desc: String::new(), accent_desc: String::new() }), format!("{} answers drawn this step; mean reward {:.2}.", batch.answers.len(), batch.mean_reward)),
        Figure::new("recent", Plot::Table(Table { header: ["question", "written", "reward", "mean advantage"].map(String::from).to_vec(), rows }), "The answers of the last batch, as drawn.".to_string()),
    ]
}

impl Training for RlLab {
    fn step(&mut self) {
        if let Some(warm) = self.warm.as_mut() {
            if !warm.is_done() {
                warm.step();
            }
            return;
        }
        // Answers are drawn in `snapshot`; without them there is nothing to learn from.
        let Some(batch) = self.batch.take() else { return };
        self.update(&batch);
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.warm.as_ref().map_or(self.warm_steps + self.step, |w| w.steps_done())
    }
    fn total_steps(&self) -> usize {
        self.warm_steps + self.steps
    }
    fn max_chunk(&self) -> Option<usize> {
        // Each update needs answers drawn by the model the last one left.
        self.warm.is_none().then_some(1)
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
    fn save(&self) -> LocalFuture<'_, Result<Vec<u8>, String>> {
        Box::pin(async move {
            let (Some(model), Some(config)) = (self.model.as_ref(), self.config.as_ref()) else { return Err("no model yet: the warm-up is still training".into()) };
            let extra: Vec<(&str, String)> = self.accuracy.map(|a| ("accuracy", a.to_string())).into_iter().collect();
            checkpoint::save(&model.valid(), config, &self.vocab.chars, "ppo", &self.params, self.warm_steps + self.step, &extra).await
        })
    }
}
