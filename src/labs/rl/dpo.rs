//! Day 27: DPO. Each step takes a few training questions and, for each, a
//! pair of chains: the right one (chosen, the generator's) and a wrong one
//! (rejected: the model's own wrong answer where it writes one, drawn in
//! `snapshot` because drawing reads back, or the right chain with one
//! character changed). The update: forward → summed log-probabilities of each
//! chain → the DPO loss against the frozen reference's, plus the chosen
//! chains' own loss (as in iterative reasoning preference optimisation, Pang
//! et al. 2024: DPO alone can make both chains less likely) → backward →
//! gradients → AdamW.

use super::rollout::{rows, score_rows};
use super::tune::Tune;
use crate::data::files::DataFiles;
use crate::data::reasoning::{answers_right, text, Problem};
use crate::event::{Series, Snapshot};
use crate::figure::{Figure, Plot, Table, TokenLine, Tokens};
use crate::labs::reason::decode::sample_with;
use crate::labs::{LocalFuture, Training};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::{log_sigmoid, log_softmax};

/// One step's pairs: 2P rows [2P, T] flattened, the P chosen first.
struct Pairs {
    p: usize,
    t: usize,
    x: Vec<i64>,
    y: Vec<i64>,
    mask: Vec<f32>,
    /// Summed log-probability of each row's chain under the reference [2P].
    reference: Vec<f32>,
    /// For the page: question, chosen, rejected, where the rejected came from.
    shown: Vec<[String; 4]>,
    /// Per row and written character: log π − log π_ref when drawn.
    moved: Vec<Vec<f32>>,
    /// How many rejected chains were the model's own.
    sampled: usize,
    /// Characters written in the chosen chains (the NLL's denominator).
    chosen_chars: f32,
}

pub struct DpoLab {
    t: Tune,
    optim: ModuleOptimizer,
    pairs: Option<Pairs>,
    /// Per update, on the device: loss, chosen reward, rejected reward, share right.
    pending: Vec<Tensor<1>>,
}

/// The DPO loss over P pairs from the summed log-probabilities [2P] of the
/// policy and the reference (chosen first): −log σ(β·(Δ_chosen − Δ_rejected))
/// averaged, with Δ = log π − log π_ref; also the implicit rewards β·Δ of the
/// chosen and of the rejected chains [P].
pub fn dpo_terms(policy: Tensor<1>, reference: Tensor<1>, beta: f64) -> (Tensor<1>, Tensor<1>, Tensor<1>) {
    let p = policy.dims()[0] / 2;
    let implicit = (policy - reference) * beta; // [2P]
    let chosen = implicit.clone().slice(0..p); // [P]
    let rejected = implicit.slice(p..2 * p); // [P]
    let loss = -log_sigmoid(chosen.clone() - rejected.clone()).mean(); // [1]
    (loss, chosen, rejected)
}

/// The right chain with one letter or digit changed (never the question).
fn corrupt(chain: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = chain.chars().collect();
    let spots: Vec<usize> = (0..chars.len()).filter(|&i| chars[i].is_ascii_alphanumeric()).collect();
    if let Some(&i) = spots.get(rng.below(spots.len().max(1) as u64) as usize) {
        let c = chars[i];
        let (base, n) = if c.is_ascii_digit() { (b'0', 10) } else if c.is_ascii_uppercase() { (b'A', 26) } else { (b'a', 26) };
        let shift = 1 + rng.below(n - 1) as u8;
        chars[i] = char::from(base + (c as u8 - base + shift) % n as u8);
    }
    chars.into_iter().collect()
}

impl DpoLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        Ok(Self { t: Tune::new(params, device, files, 0x5EED_0027)?, optim: AdamWConfig::new().with_beta_2(0.99).init(), pairs: None, pending: Vec::new() })
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        if self.t.warming() {
            return self.t.read_warmup(&["pairs_drawn", "pairs"]).await;
        }
        let mut series = Vec::new();
        if !self.pending.is_empty() {
            let read = Tensor::cat(std::mem::take(&mut self.pending), 0).into_data_async().await.map_err(|e| format!("{e:?}"))?;
            let v = read.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let t = &mut self.t;
            if v.iter().any(|x| !x.is_finite()) {
                t.model = t.last_good.clone();
                return Err(format!("The DPO loss went NaN at step {}: tuning stopped, and the model from the step before is kept. Lower the learning rate.", t.step));
            }
            let at = t.step as u32;
            t.metrics.retain(|(k, _)| !matches!(k.as_str(), "dpo_loss" | "chosen_reward" | "rejected_reward" | "reward_accuracy" | "margin"));
            for (name, value) in [("dpo_loss", v[0]), ("chosen_reward", v[1]), ("rejected_reward", v[2]), ("reward_accuracy", v[3])] {
                series.push(Series { name: name.into(), points: vec![(at, value)] });
                t.metrics.push((name.into(), value as f64));
            }
            t.metrics.push(("margin".into(), (v[1] - v[2]) as f64));
            t.last_good = t.model.clone();
        }
        self.t.evaluate_if_due(&mut series).await?;
        if !self.t.done() && self.pairs.is_none() {
            self.draw().await?;
        }
        let p = &self.t.params;
        let note = format!(
            "DPO: {} pairs a step, rejected chains {} (tries {} at temperature {}), β {}, chosen NLL weight {}.",
            p.get("pairs").unwrap_or("?"),
            if p.get("rejected").unwrap_or("sampled") == "sampled" { "the model's own wrong answers where it writes one" } else { "the right chain with one character changed" },
            p.get("tries").unwrap_or("?"),
            p.get("temperature").unwrap_or("?"),
            p.get("beta").unwrap_or("?"),
            p.get("nll").unwrap_or("?"),
        );
        Ok(self.t.snapshot(series, note))
    }

    /// The next step's pairs, their reference log-probabilities and figures.
    async fn draw(&mut self) -> Result<(), String> {
        let t = &mut self.t;
        let (n, tries, temperature) = (t.params.usize("pairs")?, t.params.usize("tries")?, t.params.f64("temperature")?);
        let own = t.params.get("rejected")? == "sampled";
        let questions: Vec<Problem> = (0..n).map(|_| t.question()).collect();
        let vocab = &t.vocab;
        let ids = |s: &str| vocab.encode(s).into_iter().map(i64::from).collect::<Vec<i64>>();
        let prompts: Vec<Vec<i64>> = questions.iter().map(|q| ids(&format!("{}\n", q.question))).collect();
        let policy = t.model().valid();
        let block = policy.block_size();
        // The model's own answers, `tries` a question, where rejected chains are its own.
        let mut drawn = Vec::new();
        if own {
            let repeated: Vec<Vec<i64>> = prompts.iter().flat_map(|p| std::iter::repeat_n(p.clone(), tries)).collect();
            let longest = repeated.iter().map(Vec::len).max().unwrap_or(1);
            let (newline, equals) = (ids("\n")[0], ids("=")[0]);
            drawn = sample_with(&policy, &repeated, block.saturating_sub(longest), newline, equals, None, temperature, &mut t.rng, &t.plain).await?;
        }
        let (mut chosen, mut rejected, mut shown, mut sampled) = (Vec::new(), Vec::new(), Vec::new(), 0);
        for (i, q) in questions.iter().enumerate() {
            let right = text(q, true)[q.question.len() + 1..].to_string();
            let wrong = drawn.get(i * tries..(i + 1) * tries).into_iter().flatten().map(|w| vocab.decode(&w.iter().map(|c| c.0 as u32).collect::<Vec<_>>())).find(|w| !answers_right(w, q));
            let (bad, from) = match wrong {
                Some(w) => {
                    sampled += 1;
                    (w, "the model's own")
                }
                None => (corrupt(&right, &mut t.rng), "one character changed"),
            };
            shown.push([q.question.clone(), right.clone(), bad.clone(), from.to_string()]);
            chosen.push(ids(&right));
            rejected.push(ids(&bad));
        }
        let both: Vec<Vec<i64>> = prompts.iter().chain(&prompts).cloned().collect();
        let written: Vec<Vec<i64>> = chosen.into_iter().chain(rejected).collect();
        let (x, y, mask, tt) = rows(&both, &written, block);
        let rows_n = 2 * n;
        let reference = t.reference.as_ref().expect("tuning has started");
        let (ref_logp, _) = score_rows(reference, &x, &y, rows_n, tt, &t.plain).await?;
        let (now_logp, _) = score_rows(&policy, &x, &y, rows_n, tt, &t.plain).await?;
        let sums = (0..rows_n).map(|r| (0..tt).map(|i| ref_logp[r * tt + i] * mask[r * tt + i]).sum()).collect();
        let moved = (0..rows_n).map(|r| (0..tt).filter(|&i| mask[r * tt + i] > 0.0).map(|i| now_logp[r * tt + i] - ref_logp[r * tt + i]).collect()).collect();
        let chosen_chars = mask[..n * tt].iter().sum();
        let pairs = Pairs { p: n, t: tt, x, y, mask, reference: sums, shown, moved, sampled, chosen_chars };
        t.metrics.retain(|(k, _)| k != "own_rejected");
        t.metrics.push(("own_rejected".into(), pairs.sampled as f64 / n.max(1) as f64));
        t.figures = pairs_figures(&pairs);
        self.pairs = Some(pairs);
        Ok(())
    }

    fn update(&mut self, pairs: &Pairs) {
        let (rows_n, t) = (2 * pairs.p, pairs.t);
        let d = &self.t.device;
        let x = Tensor::<2, Int>::from_data(TensorData::new(pairs.x.clone(), [rows_n, t]), d); // [2P, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(pairs.y.clone(), [rows_n, t]), d).unsqueeze_dim::<3>(2); // [2P, T, 1]
        let mask = Tensor::<2>::from_data(TensorData::new(pairs.mask.clone(), [rows_n, t]), d); // [2P, T]
        let reference = Tensor::<1>::from_data(TensorData::new(pairs.reference.clone(), [rows_n]), d); // [2P]
        let (beta, lr) = (self.t.params.f64("beta").unwrap_or(0.1), self.t.lr(0));
        let model = self.t.model.take().expect("the model is present between steps");
        let logits = model.forward(x, None, false).logits; // [2P, T, V]
        let logp = log_softmax(logits, 2).gather(2, y).reshape([rows_n, t]); // [2P, T]
        let masked = logp * mask; // [2P, T]
        let sums = masked.clone().sum_dim(1).reshape([rows_n]); // [2P]
        let (dpo, chosen, rejected) = dpo_terms(sums, reference, beta);
        // The chosen chains' own loss per character keeps them likely.
        let nll = -masked.slice([0..pairs.p, 0..t]).sum() / pairs.chosen_chars.max(1.0); // [1]
        let loss = dpo.clone() + nll * self.t.params.f64("nll").unwrap_or(1.0);
        let right = chosen.clone().greater(rejected.clone()).float().mean(); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.t.model = Some(self.optim.step(lr, model, grads));
        self.pending = vec![dpo.detach(), chosen.detach().mean(), rejected.detach().mean(), right.detach()];
    }
}

/// The first pair's two chains shaded by how far the model has moved from
/// the reference on each character, and a table of the step's pairs.
fn pairs_figures(pairs: &Pairs) -> Vec<Figure> {
    let p = pairs.p;
    let mut lines = Vec::new();
    if let Some([question, right, bad, from]) = pairs.shown.first() {
        for (label, chain, row) in [(format!("{question}: chosen"), right, 0), (format!("{question}: rejected ({from})"), bad, p)] {
            let moved = &pairs.moved[row];
            lines.push(TokenLine {
                label,
                tokens: chain.chars().take(moved.len()).map(|c| crate::labs::sampling::visible(&c.to_string())).collect(),
                // 0.5: as the reference; darker: likelier now, paler: less likely.
                shades: moved.iter().map(|m| 1.0 / (1.0 + (-2.0 * m).exp())).collect(),
                marks: Vec::new(),
                accents: Vec::new(),
            });
        }
    }
    let rows = pairs.shown.iter().map(|s| vec![s[0].clone(), s[1].replace('\n', " ⏎ "), s[2].replace('\n', " ⏎ "), s[3].clone()]).collect();
    vec![
        Figure::new("pairs_drawn", Plot::Tokens(Tokens { lines, shade_desc: "log π − log π_ref of the character (mid blue: as the reference; darker: likelier now)".into(), mark_desc: String::new(), accent_desc: String::new() }), format!("{} pairs this step; {} rejected chains are the model's own wrong answers.", p, pairs.sampled)),
        Figure::new("pairs", Plot::Table(Table { header: ["question", "chosen", "rejected", "rejected from"].map(String::from).to_vec(), rows }), "The pairs of this step.".to_string()),
    ]
}

impl Training for DpoLab {
    fn step(&mut self) {
        if self.t.warm_step() {
            return;
        }
        let Some(pairs) = self.pairs.take() else { return };
        self.update(&pairs);
        self.t.control_step(1, true, 0);
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
        Box::pin(self.t.save("dpo"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labs::rl::math::dpo_loss;

    #[test]
    fn the_tensor_loss_is_the_formula() {
        let device = crate::backend::cpu();
        // Two pairs: (policy chosen, rejected) then the reference's.
        let policy = [-3.0f32, -9.0, -6.0, -2.0];
        let reference = [-5.0f32, -8.0, -3.0, -2.5];
        let (loss, chosen, rejected) = dpo_terms(Tensor::from_floats(policy, &device), Tensor::from_floats(reference, &device), 0.1);
        let want = (dpo_loss(-3.0, -6.0, -5.0, -3.0, 0.1) + dpo_loss(-9.0, -2.0, -8.0, -2.5, 0.1)) / 2.0;
        let got = loss.into_data().try_to_vec::<f32>().unwrap()[0];
        assert!((got as f64 - want).abs() < 1e-5, "{got} vs {want}");
        let c = chosen.into_data().try_to_vec::<f32>().unwrap();
        assert!((c[0] - 0.2).abs() < 1e-6 && (c[1] + 0.1).abs() < 1e-6, "{c:?}");
        let r = rejected.into_data().try_to_vec::<f32>().unwrap();
        assert!((r[0] + 0.3).abs() < 1e-6 && (r[1] - 0.05).abs() < 1e-6, "{r:?}");
    }

    #[test]
    fn a_corrupted_chain_differs_in_exactly_one_letter_or_digit() {
        let mut rng = Rng::new(7);
        for chain in ["4+8+0=2,1;3+5+1=9,0\n=92\n", "AB;BC|A?\nB\nC\n=C\n"] {
            for _ in 0..50 {
                let bad = corrupt(chain, &mut rng);
                let diff: Vec<(char, char)> = chain.chars().zip(bad.chars()).filter(|(a, b)| a != b).collect();
                assert_eq!(diff.len(), 1, "{chain:?} → {bad:?}");
                let (a, b) = diff[0];
                assert!(a.is_ascii_digit() == b.is_ascii_digit() && b.is_ascii_alphanumeric(), "{a} → {b}");
            }
        }
    }
}
