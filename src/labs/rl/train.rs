//! Day 26's training. Rollouts need read-backs (each drawn character is read
//! to pick the next), so they are drawn in `snapshot`, which may wait; `step`
//! then updates on them: forward → clipped objective, KL and (PPO) the
//! critic's value loss → backward → gradients → AdamW, `epochs` times over
//! the batch. Without a kept model, a CoT model is trained first (`warmup`
//! steps of the `cot` lab).

use super::control::Fresh;
use super::rollout::{critic_values, roll, Batch, Reward};
use super::tune::Tune;
use crate::data::files::DataFiles;
use crate::data::reasoning::Problem;
use crate::event::{Series, Snapshot};
use crate::figure::{Figure, Plot, Table, TokenLine, Tokens};
use crate::labs::{LocalFuture, Training};
use crate::models::gpt::Gpt;
use crate::settings::Params;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;

/// Stops: a KL per character past this has left the starting model behind.
const KL_LIMIT: f64 = 2.0;

pub struct RlLab {
    t: Tune,
    ppo: bool,
    /// PPO's critic: a copy of the starting model, its own from then on, with
    /// a head that reads a value off its last stream.
    critic: Option<(Gpt, Linear)>,
    optim: ModuleOptimizer,
    critic_optim: ModuleOptimizer,
    value_optim: ModuleOptimizer,
    batch: Option<Batch>,
    /// Per update, on the device: KL, clipped share, value loss.
    pending: Vec<Tensor<1>>,
}

impl RlLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        Ok(Self {
            t: Tune::new(params, device, files, 0x5EED_0026)?,
            ppo: params.get("method")? == "ppo",
            critic: None,
            optim: AdamWConfig::new().with_beta_2(0.99).init(),
            critic_optim: AdamWConfig::new().with_beta_2(0.99).init(),
            value_optim: AdamWConfig::new().init(),
            batch: None,
            pending: Vec::new(),
        })
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        if self.t.warming() {
            return self.t.read_warmup(&["rollouts", "recent"]).await;
        }
        if self.ppo && self.critic.is_none() {
            // The critic starts from what the policy knows: which chains go
            // wrong, and where, is written in the same streams.
            let c = self.t.config.as_ref().map_or(64, |c| c.n_embd);
            self.critic = Some((self.t.model().clone().map(&mut Fresh), LinearConfig::new(c, 1).init(&self.t.device)));
        }
        let mut series = Vec::new();
        // What the updates since the last snapshot measured, in one read.
        if !self.pending.is_empty() {
            let read = Tensor::cat(std::mem::take(&mut self.pending), 0).into_data_async().await.map_err(|e| format!("{e:?}"))?;
            let values = read.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let (kl, clipped, value_loss) = (values[values.len() - 3] as f64, values[values.len() - 2] as f64, values[values.len() - 1] as f64);
            let t = &mut self.t;
            if !kl.is_finite() || !value_loss.is_finite() {
                t.model = t.last_good.clone();
                return Err(format!("The KL or the loss went NaN at step {}: tuning stopped, and the model from the step before is kept. Lower the learning rate.", t.step));
            }
            if kl > KL_LIMIT {
                t.model = t.last_good.clone();
                return Err(format!("The KL exploded at step {} ({kl:.2} per character, the limit {KL_LIMIT}): the policy ran away from its start. Tuning stopped and the model from the step before is kept; raise the KL coefficient or lower the learning rate.", t.step));
            }
            series.push(Series { name: "kl".into(), points: vec![(t.step as u32, kl as f32)] });
            t.metrics.retain(|(k, _)| !matches!(k.as_str(), "kl" | "clip_fraction" | "value_loss"));
            t.metrics.extend([("kl".into(), kl), ("clip_fraction".into(), clipped)]);
            if self.ppo {
                t.metrics.push(("value_loss".into(), value_loss));
            }
            t.last_good = t.model.clone();
        }
        self.t.evaluate_if_due(&mut series).await?;
        if !self.t.done() && self.batch.is_none() {
            self.draw().await?;
            let batch = self.batch.as_ref().expect("just drawn");
            let at = self.t.step as u32;
            series.push(Series { name: "reward".into(), points: vec![(at, batch.mean_reward)] });
            // Both measures of the drawn answers, whichever reward trains.
            series.push(Series { name: "reward:answers right".into(), points: vec![(at, batch.right_share)] });
            series.push(Series { name: "reward:steps accepted".into(), points: vec![(at, batch.steps_share)] });
            if batch.entropy < 0.01 && batch.mean_reward < 0.2 {
                return Err(format!("The policy collapsed at step {}: it writes nearly the same characters every time (entropy {:.4} nats) and scores {:.2}. Tuning stopped; the model from the step before is kept.", self.t.step, batch.entropy, batch.mean_reward));
            }
        }
        let p = &self.t.params;
        let note = format!(
            "{}: {} questions a step, {} answers each, drawn at temperature {}; {}; KL coefficient {}.",
            if self.ppo { "PPO" } else { "GRPO" },
            p.get("questions").unwrap_or("?"),
            p.get("group").unwrap_or("?"),
            p.get("temperature").unwrap_or("?"),
            Reward::from_setting(p.get("reward").unwrap_or("answer")).describe(),
            p.get("kl").unwrap_or("?"),
        );
        Ok(self.t.snapshot(series, note))
    }

    /// Draws the next batch of answers with the current model.
    async fn draw(&mut self) -> Result<(), String> {
        let t = &mut self.t;
        let (q, group, temperature) = (t.params.usize("questions")?, t.params.usize("group")?, t.params.f64("temperature")?);
        let drawn: Vec<Problem> = (0..q).map(|_| t.question()).collect();
        let questions: Vec<&Problem> = drawn.iter().collect();
        let policy = t.model().valid();
        let critic = self.critic.as_ref().map(|(trunk, head)| (trunk.valid(), head.valid()));
        let reference = t.reference.as_ref().expect("tuning has started");
        let kind = Reward::from_setting(t.params.get("reward")?);
        let started = web_time::Instant::now();
        let lambda = t.params.f64("lambda")? as f32;
        let batch = roll(&policy, reference, critic.as_ref().map(|(trunk, head)| (trunk, head)), lambda, &questions, group, temperature, kind, &t.vocab, &mut t.rng, &t.plain).await?;
        // Rollout throughput: drawing with the KV cache and scoring the rows.
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        let written: f32 = batch.mask.iter().sum();
        t.metrics.retain(|(k, _)| !matches!(k.as_str(), "mean_reward" | "drawn_right" | "drawn_steps" | "entropy" | "chains_per_sec" | "rollout_chars_per_sec"));
        t.metrics.push(("mean_reward".into(), batch.mean_reward as f64));
        t.metrics.push(("drawn_right".into(), batch.right_share as f64));
        t.metrics.push(("drawn_steps".into(), batch.steps_share as f64));
        t.metrics.push(("entropy".into(), batch.entropy as f64));
        t.metrics.push(("chains_per_sec".into(), batch.b as f64 / seconds));
        t.metrics.push(("rollout_chars_per_sec".into(), written as f64 / seconds));
        t.figures = answers_figures(&batch);
        self.batch = Some(batch);
        Ok(())
    }

    /// One update on the batch: `epochs` optimizer steps.
    fn update(&mut self, batch: &Batch) {
        let (b, t) = (batch.b, batch.t);
        let d = &self.t.device;
        let params = &self.t.params;
        let floats = |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [b, t]), d); // [B, T]
        let x = Tensor::<2, Int>::from_data(TensorData::new(batch.x.clone(), [b, t]), d); // [B, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(batch.y.clone(), [b, t]), d).unsqueeze_dim::<3>(2); // [B, T, 1]
        let (mask, old, reference, adv) = (floats(&batch.mask), floats(&batch.old_logp), floats(&batch.ref_logp), floats(&batch.advantages));
        let n = batch.mask.iter().sum::<f32>().max(1.0);
        let (clip, kl_coef) = (params.f64("clip").unwrap_or(0.2) as f32, params.f64("kl").unwrap_or(0.02) as f32);
        // PPO's value warm-up: the critic alone learns for its first steps.
        let value_warmup = if self.ppo { params.usize("value_warmup").unwrap_or(0) } else { 0 };
        let policy_learns = self.t.step >= value_warmup;
        let lr = self.t.lr(value_warmup);
        let epochs = params.usize("epochs").unwrap_or(1);
        for _ in 0..epochs {
            let model = self.t.model.take().expect("the model is present between steps");
            let logp = log_softmax(model.logits(x.clone()), 2).gather(2, y.clone()).reshape([b, t]); // [B, T]
            let (policy_loss, kl, clipped) = ppo_terms(logp, old.clone(), reference.clone(), adv.clone(), mask.clone(), n, clip);
            let mut loss = policy_loss + kl.clone() * kl_coef;
            let mut value_loss = Tensor::<1>::zeros([1], d);
            let critic = self.critic.take();
            if let Some((trunk, head)) = &critic {
                let err = critic_values(trunk, head, x.clone()) - floats(&batch.targets); // [B, T]
                value_loss = (err.clone() * err * mask.clone()).sum() / n; // [1]
                loss = if policy_learns { loss + value_loss.clone() } else { value_loss.clone() };
            }
            let mut grads = loss.backward();
            let model_grads = GradientsParams::from_module(&mut grads, &model);
            if let Some((trunk, head)) = critic {
                let (trunk_grads, head_grads) = (GradientsParams::from_module(&mut grads, &trunk), GradientsParams::from_module(&mut grads, &head));
                // The critic learns at ten times the policy's rate (never below 0.001 while warming up).
                let value_lr = if policy_learns { 10.0 * lr } else { (10.0 * self.t.params.f64("lr").unwrap_or(1e-4)).max(1e-3) };
                self.critic = Some((self.critic_optim.step(value_lr, trunk, trunk_grads), self.value_optim.step(value_lr, head, head_grads)));
            }
            self.t.model = Some(if policy_learns { self.optim.step(lr, model, model_grads) } else { model });
            self.pending = vec![kl.detach(), clipped.detach(), value_loss.detach()];
        }
        // The control: as many plain updates on the same questions, held still with the policy.
        self.t.control_step(epochs, policy_learns, value_warmup);
    }
}

/// The policy's side of PPO (and GRPO) on a batch of written characters
/// ([B, T] each, `mask` 1 where a character was written, `n` their count):
/// minus the mean clipped objective (`math::clipped_objective`), the mean KL
/// to the reference (`math::kl_estimate`, k3) and the share of characters
/// whose ratio left 1 ± `clip`.
pub(super) fn ppo_terms(logp: Tensor<2>, old: Tensor<2>, reference: Tensor<2>, adv: Tensor<2>, mask: Tensor<2>, n: f32, clip: f32) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
    let ratio = (logp.clone() - old).exp(); // [B, T]
    let surrogate = (ratio.clone() * adv.clone()).min_pair(ratio.clone().clamp(1.0 - clip, 1.0 + clip) * adv); // [B, T]
    let policy_loss = -(surrogate * mask.clone()).sum() / n; // [1]
    let diff = reference - logp; // [B, T]
    let kl = ((diff.clone().exp() - diff - 1.0) * mask.clone()).sum() / n; // [1]
    let clipped = ((ratio - 1.0).abs().greater_elem(clip).float() * mask).sum() / n; // [1]
    (policy_loss, kl, clipped)
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
        if self.t.warm_step() {
            return;
        }
        // Answers are drawn in `snapshot`; without them there is nothing to learn from.
        let Some(batch) = self.batch.take() else { return };
        self.update(&batch);
        self.t.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.t.steps_done()
    }
    fn total_steps(&self) -> usize {
        self.t.total_steps()
    }
    fn max_chunk(&self) -> Option<usize> {
        self.t.max_chunk()
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
    fn save(&self) -> LocalFuture<'_, Result<Vec<u8>, String>> {
        Box::pin(self.t.save("ppo"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::rl::math::{clipped_objective, kl_estimate};

    /// The tensors the lab trains with give what `math` computes by hand,
    /// masked characters left out.
    #[test]
    fn the_lab_objective_is_the_checked_formula() {
        let device = crate::backend::cpu();
        let logp = [-0.2f32, -1.5, -0.7, -2.0, -0.1, -3.0];
        let old = [-0.5f32, -1.0, -0.7, -1.0, -0.3, -0.2];
        let reference = [-0.4f32, -1.2, -0.9, -2.5, -0.2, -0.5];
        let adv = [1.0f32, -2.0, 0.5, 1.5, -0.5, 3.0];
        let mask = [1.0f32, 1.0, 1.0, 1.0, 1.0, 0.0];
        let t = |v: [f32; 6]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [2, 3]), &device);
        let (loss, kl, clipped) = ppo_terms(t(logp), t(old), t(reference), t(adv), t(mask), 5.0, 0.2);
        let read = |x: Tensor<1>| x.into_data().try_to_vec::<f32>().unwrap()[0];
        let (mut want_loss, mut want_kl, mut want_clipped) = (0.0, 0.0, 0.0);
        for i in 0..5 {
            let ratio = (logp[i] - old[i]).exp();
            want_loss -= clipped_objective(ratio, adv[i], 0.2) / 5.0;
            want_kl += kl_estimate(logp[i], reference[i]) / 5.0;
            want_clipped += f32::from((ratio - 1.0).abs() > 0.2) / 5.0;
        }
        assert!((read(loss) - want_loss).abs() < 1e-5, "{want_loss}");
        assert!((read(kl) - want_kl).abs() < 1e-5, "{want_kl}");
        assert!((read(clipped) - want_clipped).abs() < 1e-6 && want_clipped > 0.0, "{want_clipped}");
    }
}
