//! pass@1 and pass@k: `k` answers drawn at temperature 1 for each question.
//! pass@1 is the share of all answers that are right (what one draw gets);
//! pass@k the share of questions with at least one right answer among the
//! `k`. Tuning at the edge often raises pass@1 by making the answers the
//! model could already find more likely, with little change to pass@k: it
//! sharpens what the model knows more than it teaches it anything new.

use crate::data::chars::CharVocab;
use crate::data::reasoning::{answers_right, Problem};
use crate::labs::reason::decode::sample_with;
use crate::models::gpt::Gpt;
use crate::rng::Rng;
use burn::prelude::*;

/// (pass@1, pass@k) of `model` on `questions`.
pub async fn pass_at_k(model: &Gpt, questions: &[Problem], k: usize, vocab: &CharVocab, rng: &mut Rng, device: &Device) -> Result<(f64, f64), String> {
    if questions.is_empty() || k == 0 {
        return Ok((0.0, 0.0));
    }
    let id = |c: &str| vocab.encode(c)[0] as i64;
    let prompts: Vec<Vec<i64>> = questions.iter().flat_map(|q| std::iter::repeat_n(vocab.encode(&format!("{}\n", q.question)).into_iter().map(i64::from).collect::<Vec<_>>(), k)).collect();
    let longest = prompts.iter().map(Vec::len).max().unwrap_or(1);
    let block = model.block_size();
    let written = sample_with(model, &prompts, block.saturating_sub(longest), id("\n"), id("="), None, 1.0, rng, device).await?;
    let right: Vec<bool> = written.iter().enumerate().map(|(r, w)| answers_right(&vocab.decode(&w.iter().map(|c| c.0 as u32).collect::<Vec<_>>()), &questions[r / k])).collect();
    let pass1 = right.iter().filter(|&&x| x).count() as f64 / right.len() as f64;
    let pass_k = right.chunks(k).filter(|c| c.iter().any(|&x| x)).count() as f64 / questions.len() as f64;
    Ok((pass1, pass_k))
}
