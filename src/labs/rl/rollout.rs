//! Rollouts: a batch of questions answered several times each by the current
//! model, scored, and turned into what one update needs: the rows as inputs
//! and targets, which targets are the model's own writing, their
//! log-probabilities under the model that wrote them and under the frozen
//! reference, and each written character's advantage.

use super::math::{gae, group_advantages};
use crate::data::chars::CharVocab;
use crate::data::reasoning::{answers_right, same_answer, steps_right, written_answer, written_chain, Problem, PAD};
use crate::labs::reason::decode::sample_with;
use crate::models::gpt::Gpt;
use crate::rng::Rng;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, softmax};

/// One answer, for the page's table and shaded lines.
#[derive(Clone, Debug)]
pub struct Answer {
    pub question: String,
    pub written: String,
    pub reward: f32,
    /// Per written character.
    pub advantages: Vec<f32>,
}

/// What one update trains on: rows [B, T] flattened.
pub struct Batch {
    pub b: usize,
    pub t: usize,
    pub x: Vec<i64>,
    pub y: Vec<i64>,
    /// 1 where the target is a character the model wrote.
    pub mask: Vec<f32>,
    pub old_logp: Vec<f32>,
    pub ref_logp: Vec<f32>,
    pub advantages: Vec<f32>,
    /// PPO: the critic's targets (GAE's returns); empty for GRPO.
    pub targets: Vec<f32>,
    pub answers: Vec<Answer>,
    pub mean_reward: f32,
    /// Of the answers drawn: the share right, and the mean share of their
    /// chains' steps the checker accepts (both reported whichever reward trains).
    pub right_share: f32,
    pub steps_share: f32,
    /// Mean entropy of the policy over the written characters (nats).
    pub entropy: f32,
}

/// What an answer is scored by (the `reward` setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reward {
    /// 1 for the right answer; 0.1 for a wrong one that writes an answer
    /// line (the format); 0 for none.
    Answer,
    /// Correct reasoning: half for the right answer, half for the share of
    /// the chain's steps the checker accepts; 0 without an answer line.
    Steps,
    /// A toy: 1 when the answer written is 7 whatever the question, a target
    /// any method should find fast.
    Seven,
}

impl Reward {
    pub fn from_setting(value: &str) -> Self {
        match value {
            "steps" => Reward::Steps,
            "seven" => Reward::Seven,
            _ => Reward::Answer,
        }
    }

    /// What the lab's note says the reward is.
    pub fn describe(self) -> &'static str {
        match self {
            Reward::Answer => "reward 1 for the right answer, 0.1 for a wrong one with an answer line",
            Reward::Steps => "reward for correct reasoning: half for the right answer, half for the share of the chain's steps the checker accepts",
            Reward::Seven => "the toy reward: 1 when the answer written is 7, whatever the question",
        }
    }
}

/// The share of a written chain's steps the checker accepts; `None` for a
/// task whose steps cannot be checked.
pub fn step_share(written: &str, p: &Problem) -> Option<f32> {
    steps_right(p, written_chain(written)).map(|(ok, all)| ok as f32 / all.max(1) as f32)
}

/// An answer's reward. A task whose steps cannot be checked is scored by
/// its answer under `Steps`.
pub fn reward(written: &str, p: &Problem, kind: Reward) -> f32 {
    let Some(answer) = written_answer(written) else { return 0.0 };
    let by_answer = |expected: &str| if same_answer(answer, expected) { 1.0 } else { 0.1 };
    match (kind, step_share(written, p)) {
        (Reward::Seven, _) => by_answer("7"),
        (Reward::Steps, Some(steps)) => 0.5 * f32::from(same_answer(answer, &p.answer)) + 0.5 * steps,
        _ => by_answer(&p.answer),
    }
}

/// Per row of `x` [B, T]: the log-probability of each target in `y`, and the
/// entropy at each position; one read from the device.
pub async fn score_rows(model: &Gpt, x: &[i64], y: &[i64], b: usize, t: usize, device: &Device) -> Result<(Vec<f32>, Vec<f32>), String> {
    let idx = Tensor::<2, Int>::from_data(TensorData::new(x.to_vec(), [b, t]), device); // [B, T]
    let targets = Tensor::<2, Int>::from_data(TensorData::new(y.to_vec(), [b, t]), device).unsqueeze_dim::<3>(2); // [B, T, 1]
    let logits = model.logits(idx); // [B, T, V]
    let logp = log_softmax(logits.clone(), 2); // [B, T, V]
    let entropy = -(softmax(logits, 2) * logp.clone()).sum_dim(2).reshape([b, t]); // [B, T]
    let chosen = logp.gather(2, targets).reshape([b, t]); // [B, T]
    let read = Tensor::cat(vec![chosen, entropy], 0).into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
    let (chosen, entropy) = read.split_at(b * t);
    Ok((chosen.to_vec(), entropy.to_vec()))
}

/// PPO's critic: its value at each position of `idx` [B, T], its last stream
/// through the value head (no logits).
pub fn critic_values(trunk: &Gpt, head: &Linear, idx: Tensor<2, Int>) -> Tensor<2> {
    let [b, t] = idx.dims();
    let (streams, _) = trunk.streams(idx);
    let last = streams.into_iter().last().expect("the embeddings at least"); // [B, T, C]
    head.forward(last).reshape([b, t]) // [B, T]
}

/// The critic's values of `x` [B, T], flattened, in one read.
async fn values(trunk: &Gpt, head: &Linear, x: &[i64], b: usize, t: usize, device: &Device) -> Result<Vec<f32>, String> {
    let idx = Tensor::<2, Int>::from_data(TensorData::new(x.to_vec(), [b, t]), device); // [B, T]
    critic_values(trunk, head, idx).into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))
}

/// Rows of prompt and answer [B, T] flattened: inputs all but the last
/// character, targets all but the first, and a mask that is 1 where the
/// target is an answer's character. T is the longest row's, rounded up to a
/// multiple of 8 and at most `block`.
pub fn rows(prompts: &[Vec<i64>], written: &[Vec<i64>], block: usize) -> (Vec<i64>, Vec<i64>, Vec<f32>, usize) {
    let b = prompts.len();
    let t = (prompts.iter().zip(written).map(|(p, w)| p.len() + w.len() - 1).max().unwrap_or(1).div_ceil(8) * 8).min(block);
    let (mut x, mut y, mut mask) = (vec![PAD as i64; b * t], vec![PAD as i64; b * t], vec![0.0; b * t]);
    for (r, (p, w)) in prompts.iter().zip(written).enumerate() {
        let full: Vec<i64> = p.iter().chain(w).copied().take(t + 1).collect();
        for i in 0..full.len().saturating_sub(1) {
            x[r * t + i] = full[i];
            y[r * t + i] = full[i + 1];
            mask[r * t + i] = if i + 1 >= p.len() { 1.0 } else { 0.0 };
        }
    }
    (x, y, mask, t)
}

/// Draws `group` answers to each question with `policy` (plain device),
/// scores them, and builds the batch. `critic`: PPO's critic and its value
/// head (plain device), and `lambda`, GAE's λ.
#[allow(clippy::too_many_arguments)]
pub async fn roll(policy: &Gpt, reference: &Gpt, critic: Option<(&Gpt, &Linear)>, lambda: f32, questions: &[&Problem], group: usize, temperature: f64, kind: Reward, vocab: &CharVocab, rng: &mut Rng, device: &Device) -> Result<Batch, String> {
    let block = policy.block_size();
    let id = |c: &str| vocab.encode(c)[0] as i64;
    let prompts: Vec<Vec<i64>> = questions.iter().flat_map(|q| std::iter::repeat_n(vocab.encode(&format!("{}\n", q.question)).into_iter().map(i64::from).collect::<Vec<_>>(), group)).collect();
    let longest_prompt = prompts.iter().map(Vec::len).max().unwrap_or(1);
    let written = sample_with(policy, &prompts, block.saturating_sub(longest_prompt), id("\n"), id("="), None, temperature, rng, device).await?;
    let b = prompts.len();
    let ids: Vec<Vec<i64>> = written.iter().map(|w| w.iter().map(|c| c.0).collect()).collect();
    let (x, y, mask, t) = rows(&prompts, &ids, block);
    let texts: Vec<String> = written.iter().map(|w| vocab.decode(&w.iter().map(|c| c.0 as u32).collect::<Vec<_>>())).collect();
    let rewards: Vec<f32> = texts.iter().enumerate().map(|(r, text)| reward(text, questions[r / group], kind)).collect();
    // Both measures of the drawn answers, whichever reward trains.
    let (mut right, mut steps) = (0, 0.0);
    for (r, text) in texts.iter().enumerate() {
        right += usize::from(answers_right(text, questions[r / group]));
        steps += step_share(text, questions[r / group]).unwrap_or(0.0);
    }
    let (right_share, steps_share) = (right as f32 / b.max(1) as f32, steps / b.max(1) as f32);
    let (old_logp, entropy) = score_rows(policy, &x, &y, b, t, device).await?;
    let values = match critic {
        Some((trunk, head)) => values(trunk, head, &x, b, t, device).await?,
        None => Vec::new(),
    };
    let (ref_logp, _) = score_rows(reference, &x, &y, b, t, device).await?;
    // Advantages per written character: GRPO's per answer, or PPO's GAE with
    // the reward on the last character, normalised over the batch.
    let mut advantages = vec![0.0; b * t];
    let mut targets = Vec::new();
    if critic.is_some() {
        targets = vec![0.0; b * t];
        for r in 0..b {
            let at: Vec<usize> = (0..t).filter(|&i| mask[r * t + i] > 0.0).collect();
            let mut token_rewards = vec![0.0; at.len()];
            if let Some(last) = token_rewards.last_mut() {
                *last = rewards[r];
            }
            let v: Vec<f32> = at.iter().map(|&i| values[r * t + i]).collect();
            let (adv, ret) = gae(&token_rewards, &v, 1.0, lambda);
            for (k, &i) in at.iter().enumerate() {
                advantages[r * t + i] = adv[k];
                targets[r * t + i] = ret[k];
            }
        }
        let n = mask.iter().sum::<f32>().max(1.0);
        let mean = advantages.iter().zip(&mask).map(|(a, m)| a * m).sum::<f32>() / n;
        let std = (advantages.iter().zip(&mask).map(|(a, m)| m * (a - mean) * (a - mean)).sum::<f32>() / n).sqrt();
        for (a, m) in advantages.iter_mut().zip(&mask) {
            *a = m * (*a - mean) / (std + 1e-4);
        }
    } else {
        let per_answer = group_advantages(&rewards, group);
        for (i, a) in advantages.iter_mut().enumerate() {
            *a = mask[i] * per_answer[i / t];
        }
    }
    let n = mask.iter().sum::<f32>().max(1.0);
    let entropy = entropy.iter().zip(&mask).map(|(e, m)| e * m).sum::<f32>() / n;
    let answers = (0..b)
        .map(|r| {
            let start = prompts[r].len() - 1;
            let len = written[r].len().min(t.saturating_sub(start));
            Answer { question: questions[r / group].question.clone(), written: texts[r].clone(), reward: rewards[r], advantages: advantages[r * t + start..r * t + start + len].to_vec() }
        })
        .collect();
    let mean_reward = rewards.iter().sum::<f32>() / b.max(1) as f32;
    Ok(Batch { b, t, x, y, mask, old_logp, ref_logp, advantages, targets, answers, mean_reward, right_share, steps_share, entropy })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(question: &str, answer: &str, chain: Option<&str>, task: &str) -> Problem {
        Problem { question: question.into(), answer: answer.into(), chain: chain.map(String::from), task: task.into(), difficulty: "1".into(), template: None }
    }

    #[test]
    fn the_reward_is_the_answer_with_a_little_for_the_format() {
        let p = problem("1+2", "3", None, "logic-free");
        assert_eq!(reward("1+2=3\n=3\n", &p, Reward::Answer), 1.0);
        assert_eq!(reward("=03\n", &p, Reward::Answer), 1.0, "numbers compare as numbers");
        assert_eq!(reward("1+2=4\n=4\n", &p, Reward::Answer), 0.1);
        assert_eq!(reward("1+2=3;;;", &p, Reward::Answer), 0.0);
        assert_eq!(reward("3+4=7\n=7\n", &problem("3+4", "7", None, ""), Reward::Seven), 1.0);
        assert_eq!(reward("1+2=3\n=3\n", &p, Reward::Seven), 0.1, "the toy reward wants 7, right or not");
        assert_eq!(reward("1+2=3\n=3\n", &p, Reward::Steps), 1.0, "a task without checkable steps is scored by its answer");
    }

    /// Correct reasoning pays with a wrong answer, and a right answer on a
    /// broken chain earns only half.
    #[test]
    fn the_step_reward_pays_for_each_step_the_checker_accepts() {
        let spec = crate::data::reasoning::Spec::new("add", 3).unwrap();
        let p = crate::data::reasoning::generate(&spec, 1, 7, &std::collections::BTreeSet::new()).remove(0);
        let chain = p.chain.clone().unwrap();
        let steps: Vec<&str> = chain.split(';').collect();
        assert!(steps.len() >= 3, "{chain}");
        let whole = format!("{chain}\n={}\n", p.answer);
        assert_eq!(step_share(&whole, &p), Some(1.0));
        assert_eq!(reward(&whole, &p, Reward::Steps), 1.0);
        // The chain right, the answer copied wrong: half, and all of the steps' half.
        let wrong = format!("{chain}\n={}9\n", p.answer);
        assert_eq!(reward(&wrong, &p, Reward::Steps), 0.5);
        assert_eq!(reward(&wrong, &p, Reward::Answer), 0.1);
        // One step broken of n, the answer right: 0.5 + 0.5 (n − 1) / n.
        let n = steps.len() as f32;
        let mut broken = steps.clone();
        let bad = format!("{}x", broken[1]);
        broken[1] = &bad;
        let one_off = format!("{}\n={}\n", broken.join(";"), p.answer);
        assert!((reward(&one_off, &p, Reward::Steps) - (0.5 + 0.5 * (n - 1.0) / n)).abs() < 1e-6);
        // A chain cut short counts the missing steps as wrong.
        let short = format!("{}\n={}\n", steps[0], p.answer);
        assert!((step_share(&short, &p).unwrap() - 1.0 / n).abs() < 1e-6);
        // No answer line: nothing, however good the chain.
        assert_eq!(reward(&chain, &p, Reward::Steps), 0.0);
    }
}
