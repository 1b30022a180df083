//! Greedy writing for evaluation: every prompt continued one character at a
//! time with the KV cache, the most likely character each time, until it has
//! written its answer line (`=…` and a newline). Prompts of the same length go
//! as one batch, so a set of arithmetic questions costs one read a character.

use crate::models::gpt::{Gpt, KvCache};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use std::collections::BTreeMap;

/// Per prompt, the ids it wrote with their probabilities. `newline` and
/// `equals` are the ids that end the answer line; at most `max_new`
/// characters are written, and never past the model's context.
pub async fn greedy(model: &Gpt, prompts: &[Vec<i64>], max_new: usize, newline: i64, equals: i64, device: &Device) -> Result<Vec<Vec<(i64, f32)>>, String> {
    let block = model.mask.dims()[0];
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
        for _ in 0..max_new.min(block.saturating_sub(len)) {
            let logits = model.forward(feed, Some(&mut cache), false).logits; // [b, n, V]
            let [_, n, v] = logits.dims();
            let probs = softmax(logits.slice([0..b, n - 1..n]).reshape([b, v]), 1); // [b, V]
            let best = probs.clone().argmax(1).float(); // [b, 1]
            let p = probs.max_dim(1); // [b, 1]
            let read = Tensor::cat(vec![best, p], 1).into_data_async().await.map_err(|e| format!("{e:?}"))?; // [b, 2]
            let read = read.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let mut next = Vec::with_capacity(b);
            for (r, pair) in read.chunks(2).enumerate() {
                let id = pair[0] as i64;
                next.push(id);
                if done[r] {
                    continue;
                }
                out[rows[r]].push((id, pair[1]));
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
