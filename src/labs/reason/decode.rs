//! Writing answers: every prompt continued one character at a time with the
//! KV cache, the most likely character each time (evaluation) or one drawn
//! at a temperature (Day 26's rollouts), until it has written its answer line
//! (`=…` and a newline). Prompts of the same length go as one batch, so a set
//! of arithmetic questions costs one read a character.
//! A tool (Day 28's calculator) may write characters in the model's place:
//! after each character the model writes, it sees the row so far and may
//! return characters to insert, which are fed in as if written.

use crate::data::chars::CharVocab;
use crate::data::reasoning::tool;
use crate::models::gpt::{Gpt, KvCache};
use burn::prelude::*;
use crate::labs::sampling::filter::{draw, Strategy};
use crate::rng::Rng;
use burn::tensor::activation::softmax;
use std::cell::Cell;
use std::collections::{BTreeMap, VecDeque};

/// Sees a row's characters so far (ids and probabilities) and returns the
/// ids to insert next, if any.
pub type Tool<'a> = &'a dyn Fn(&[(i64, f32)]) -> Option<Vec<i64>>;

/// Per prompt, the ids it wrote with their probabilities. `newline` and
/// `equals` are the ids that end the answer line; at most `max_new`
/// characters are written, and never past the model's context.
pub async fn greedy(model: &Gpt, prompts: &[Vec<i64>], max_new: usize, newline: i64, equals: i64, device: &Device) -> Result<Vec<Vec<(i64, f32)>>, String> {
    greedy_with(model, prompts, max_new, newline, equals, None, device).await
}

/// `greedy`, with a tool that may insert characters; inserted ones carry
/// probability 1.
pub async fn greedy_with(model: &Gpt, prompts: &[Vec<i64>], max_new: usize, newline: i64, equals: i64, tool: Option<Tool<'_>>, device: &Device) -> Result<Vec<Vec<(i64, f32)>>, String> {
    write(model, prompts, max_new, newline, equals, tool, None, device).await
}

/// Like `greedy_with`, but each character drawn at `temperature` (seeded by
/// `rng`); each comes with the probability the model gave it at temperature 1.
#[allow(clippy::too_many_arguments)]
pub async fn sample_with(model: &Gpt, prompts: &[Vec<i64>], max_new: usize, newline: i64, equals: i64, tool: Option<Tool<'_>>, temperature: f64, rng: &mut Rng, device: &Device) -> Result<Vec<Vec<(i64, f32)>>, String> {
    write(model, prompts, max_new, newline, equals, tool, Some((temperature, rng)), device).await
}

/// The one writing loop: greedy without `sampling`, drawn with it.
#[allow(clippy::too_many_arguments)]
async fn write(model: &Gpt, prompts: &[Vec<i64>], max_new: usize, newline: i64, equals: i64, tool: Option<Tool<'_>>, mut sampling: Option<(f64, &mut Rng)>, device: &Device) -> Result<Vec<Vec<(i64, f32)>>, String> {
    let block = model.block_size();
    let mut out = vec![Vec::new(); prompts.len()];
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in prompts.iter().enumerate() {
        groups.entry(p.len().min(block)).or_default().push(i);
    }
    for (len, rows) in groups {
        let b = rows.len();
        let flat: Vec<i64> = rows.iter().flat_map(|&i| prompts[i][prompts[i].len() - len..].to_vec()).collect();
        let mut feed = Tensor::<2, Int>::from_data(TensorData::new(flat, [b, len]), device); // [b, len]
        let mut cache = KvCache::default();
        // Per row: the first id of the line being written, and whether it is done.
        let mut line_first: Vec<Option<i64>> = vec![None; b];
        let mut done = vec![false; b];
        let mut inserts: Vec<VecDeque<i64>> = vec![VecDeque::new(); b];
        for _ in 0..max_new.min(block.saturating_sub(len)) {
            let logits = model.forward(feed, Some(&mut cache), false).logits; // [b, n, V]
            let [_, n, v] = logits.dims();
            let last = logits.slice([0..b, n - 1..n]).reshape([b, v]); // [b, V]
            // Greedy reads two numbers a row (the best id and its
            // probability); drawing needs the whole row of logits.
            let read: Vec<f32> = match sampling.as_mut() {
                None => {
                    let probs = softmax(last, 1); // [b, V]
                    let best = probs.clone().argmax(1).float(); // [b, 1]
                    let p = probs.max_dim(1); // [b, 1]
                    let read = Tensor::cat(vec![best, p], 1).into_data_async().await.map_err(|e| format!("{e:?}"))?; // [b, 2]
                    read.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?
                }
                Some((temperature, rng)) => {
                    let rows = last.into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
                    rows.chunks(v)
                        .flat_map(|logits| {
                            let d = draw(logits, Strategy::temperature(*temperature), rng);
                            let p = crate::labs::sampling::filter::softmax(logits, 1.0)[d.token];
                            [d.token as f32, p]
                        })
                        .collect()
                }
            };
            let mut next = Vec::with_capacity(b);
            for (r, pair) in read.chunks(2).enumerate() {
                // An inserted character takes the place of the model's guess.
                let inserted = inserts[r].pop_front();
                let id = inserted.unwrap_or(pair[0] as i64);
                next.push(id);
                if done[r] {
                    continue;
                }
                out[rows[r]].push((id, if inserted.is_some() { 1.0 } else { pair[1] }));
                if let (None, Some(tool)) = (inserted, tool) {
                    inserts[r].extend(tool(&out[rows[r]]).unwrap_or_default());
                }
                if id == newline {
                    done[r] = line_first[r] == Some(equals);
                    line_first[r] = None;
                } else if line_first[r].is_none() {
                    line_first[r] = Some(id);
                }
            }
            if done.iter().all(|d| *d) {
                break;
            }
            feed = Tensor::from_data(TensorData::new(next, [b, 1]), device); // [b, 1]
        }
    }
    Ok(out)
}

/// Day 28's calculator as a tool: when a row has just closed a call, the ids
/// of its result, or of `?` when the call is refused. It counts both.
pub struct Calculator<'a> {
    vocab: &'a CharVocab,
    close: Option<i64>,
    pub calls: Cell<usize>,
    pub refused: Cell<usize>,
}

impl<'a> Calculator<'a> {
    pub fn new(vocab: &'a CharVocab) -> Self {
        Calculator { vocab, close: vocab.encode(">").first().map(|&i| i as i64), calls: Cell::new(0), refused: Cell::new(0) }
    }

    pub fn answer(&self, row: &[(i64, f32)]) -> Option<Vec<i64>> {
        // Only a `>` can close a call: other characters cost nothing.
        if row.last().map(|r| r.0) != self.close {
            return None;
        }
        let written: String = row.iter().filter_map(|&(i, _)| self.vocab.chars.get(i as usize)).collect();
        let result = tool::after_call(&written)?;
        self.calls.set(self.calls.get() + 1);
        let text = result.unwrap_or_else(|_| {
            self.refused.set(self.refused.get() + 1);
            tool::REFUSED.to_string()
        });
        Some(self.vocab.encode(&text).into_iter().map(i64::from).collect())
    }
}
