//! Causal multi-head self-attention with a fused QKV projection: the core that
//! the GPT here, and the attention labs, share.

use super::fused::softmax_last;
use super::normal_linear;
use crate::rng::Rng;
use burn::nn::{Linear, RotaryEncoding, RotaryEncodingConfig};
use burn::prelude::*;

/// The value added to scores above the diagonal: the future is masked out.
/// −∞ rather than a large negative number: exp(−∞) is an exact 0 on the fast
/// path, while exp(−1e9) takes libm's underflow path (errno and all), which cost
/// a fifth of a GPT-M step on the CPU. A causal row always keeps its diagonal,
/// so no row is all −∞.
pub const MASKED: f32 = f32::NEG_INFINITY;

#[derive(Config, Debug)]
pub struct CausalSelfAttentionConfig {
    pub n_embd: usize,
    pub n_head: usize,
    /// Rotate queries and keys by position (RoPE) instead of adding a position vector.
    #[config(default = false)]
    pub rope: bool,
    /// Longest sequence RoPE is prepared for.
    #[config(default = 1024)]
    pub max_len: usize,
}

#[derive(Module, Debug)]
pub struct CausalSelfAttention {
    /// Queries, keys and values in one matmul: C → 3C.
    pub qkv: Linear,
    /// Mixes the heads back together: C → C.
    pub proj: Linear,
    pub rope: Option<RotaryEncoding>,
    pub n_head: usize,
}

/// The keys and values seen so far, per layer, so that sampling one more token
/// costs one row of attention rather than the whole sequence again.
#[derive(Clone, Debug, Default)]
pub struct LayerCache {
    pub kv: Option<(Tensor<4>, Tensor<4>)>, // [B, H, T_past, D] each
}

impl LayerCache {
    /// How many positions it holds: T_past.
    pub fn positions(&self) -> usize {
        self.kv.as_ref().map_or(0, |(k, _)| k.dims()[2])
    }

    /// Appends the new keys and values; returns all of them, [B, H, T_past + T, D] each.
    fn extend(&mut self, k: Tensor<4>, v: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let (k, v) = match self.kv.take() {
            Some((pk, pv)) => (Tensor::cat(vec![pk, k], 2), Tensor::cat(vec![pv, v], 2)),
            None => (k, v),
        };
        self.kv = Some((k.clone(), v.clone()));
        (k, v)
    }
}

impl CausalSelfAttentionConfig {
    pub fn init(&self, rng: &mut Rng, device: &Device) -> CausalSelfAttention {
        let c = self.n_embd;
        CausalSelfAttention {
            qkv: normal_linear(rng, c, 3 * c, true, device),
            proj: normal_linear(rng, c, c, true, device),
            rope: self.rope.then(|| RotaryEncodingConfig::new(self.max_len, c / self.n_head).init(device)),
            n_head: self.n_head,
        }
    }
}

impl CausalSelfAttention {
    /// Causal attention for the T positions of `x`, [B, T, C]. `mask` is
    /// [T, T_past + T], MASKED where a query would see its future. With a
    /// cache, `x` comes after the cache's T_past positions, attends to their
    /// keys and values too, and its own are appended. `at` places each row's
    /// tokens at positions of their own for RoPE (training with gaps, see
    /// `Rotation`); without it they follow the cache's: T_past, T_past + 1, ….
    /// Returns the output [B, T, C] and the attention weights [B, H, T, T_past + T].
    pub fn forward(&self, x: Tensor<3>, mask: Tensor<2>, cache: Option<&mut LayerCache>, at: Option<&Rotation>) -> (Tensor<3>, Tensor<4>) {
        let past = cache.as_ref().map_or(0, |cache| cache.positions());
        let (q, k, v) = match (at, &self.rope) {
            (Some(at), Some(_)) => {
                let (q, k, v) = self.split(x); // [B, H, T, D] each
                (at.apply(q), at.apply(k), v)
            }
            _ => self.heads(x, past), // [B, H, T, D] each
        };
        let (k, v) = match cache {
            Some(cache) => cache.extend(k, v), // [B, H, T_past + T, D] each
            None => (k, v),
        };
        let (y, att) = attend(q, k, v, mask); // [B, H, T, D], [B, H, T, T_past + T]
        let y = self.merge(y); // [B, T, C]
        (y, att)
    }

    /// Projects `x` to queries, keys and values, split into heads.
    pub fn heads(&self, x: Tensor<3>, offset: usize) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let (q, k, v) = self.split(x); // [B, H, T, D] each
        match &self.rope {
            Some(rope) => (rope.apply(q, offset), rope.apply(k, offset), v),
            None => (q, k, v),
        }
    }

    /// Projects `x` to queries, keys and values, split into heads, before any rotation.
    fn split(&self, x: Tensor<3>) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
        let [b, t, c] = x.dims();
        let h = self.n_head;
        let qkv = self.qkv.forward(x); // [B, T, 3C]
        let q = qkv.clone().slice([0..b, 0..t, 0..c]); // [B, T, C]
        let k = qkv.clone().slice([0..b, 0..t, c..2 * c]); // [B, T, C]
        let v = qkv.slice([0..b, 0..t, 2 * c..3 * c]); // [B, T, C]
        let q = split_heads(q, h); // [B, H, T, D]
        let k = split_heads(k, h); // [B, H, T, D]
        let v = split_heads(v, h); // [B, H, T, D]
        (q, k, v)
    }

    /// Puts the heads side by side again and projects.
    fn merge(&self, y: Tensor<4>) -> Tensor<3> {
        let y = merge_heads(y); // [B, T, C]
        self.proj.forward(y) // [B, T, C]
    }
}

/// RoPE at positions given per row: cos and sin of each position's angles,
/// [B, 1, T, D/2] each. Training with gaps (`gpt::Gpt::logits_at`) places a
/// row's tokens at positions that skip ahead at random between its steps, so
/// that how far a token is from the question says nothing of how many steps
/// came before it; sampling places tokens one after another as usual. The
/// pairs and angles are burn's `RotaryEncoding`'s (dims 2i and 2i + 1 turn by
/// position · θᵢ), so at positions 0, 1, 2, … it gives the same result (tested).
#[derive(Clone, Debug)]
pub struct Rotation {
    cos: Tensor<4>,
    sin: Tensor<4>,
}

impl Rotation {
    /// `positions` [B, T] (whole numbers, as floats); `theta` [D/2], RoPE's frequencies.
    pub fn new(positions: Tensor<2>, theta: Tensor<1>) -> Self {
        let [b, t] = positions.dims();
        let half = theta.dims()[0];
        let angles = positions.reshape([b, 1, t, 1]) * theta.reshape([1, 1, 1, half]); // [B, 1, T, D/2]
        Rotation { cos: angles.clone().cos(), sin: angles.sin() }
    }

    /// Turns each pair (a, b) of `x` [B, H, T, D] to (a·cos − b·sin, b·cos + a·sin).
    pub fn apply(&self, x: Tensor<4>) -> Tensor<4> {
        let [b, h, t, d] = x.dims();
        let pairs = x.reshape([b, h, t, d / 2, 2]); // [B, H, T, D/2, 2]
        let a = pairs.clone().slice([0..b, 0..h, 0..t, 0..d / 2, 0..1]).reshape([b, h, t, d / 2]); // [B, H, T, D/2]
        let o = pairs.slice([0..b, 0..h, 0..t, 0..d / 2, 1..2]).reshape([b, h, t, d / 2]); // [B, H, T, D/2]
        let turned_a = a.clone() * self.cos.clone() - o.clone() * self.sin.clone(); // [B, H, T, D/2]
        let turned_o = o * self.cos.clone() + a * self.sin.clone(); // [B, H, T, D/2]
        let pairs = Tensor::stack::<5>(vec![turned_a, turned_o], 4); // [B, H, T, D/2, 2]
        pairs.reshape([b, h, t, d]) // [B, H, T, D]
    }
}

/// softmax(q·kᵀ / √d + mask) · v, with the weights for the pictures.
pub fn attend(q: Tensor<4>, k: Tensor<4>, v: Tensor<4>, mask: Tensor<2>) -> (Tensor<4>, Tensor<4>) {
    let scores = scores(q, k, mask); // [B, H, Tq, Tk]
    let att = softmax_last(scores); // [B, H, Tq, Tk]
    (att.clone().matmul(v), att) // [B, H, Tq, D]
}

/// q·kᵀ / √d + mask: how well each query matches each key, before the softmax.
pub fn scores(q: Tensor<4>, k: Tensor<4>, mask: Tensor<2>) -> Tensor<4> {
    let d = q.dims()[3];
    let scores = q.matmul(k.swap_dims(2, 3)).mul_scalar(1.0 / (d as f64).sqrt()); // [B, H, Tq, Tk]
    scores + mask.unsqueeze::<4>() // [B, H, Tq, Tk]
}

/// Splits [B, T, C] into heads: [B, H, T, C/H].
pub fn split_heads(x: Tensor<3>, n_head: usize) -> Tensor<4> {
    let [b, t, c] = x.dims();
    x.reshape([b, t, n_head, c / n_head]).swap_dims(1, 2) // [B, H, T, D]
}

/// Puts the heads side by side again: [B, H, T, D] → [B, T, H·D].
pub fn merge_heads(y: Tensor<4>) -> Tensor<3> {
    let [b, h, t, d] = y.dims();
    y.swap_dims(1, 2).reshape([b, t, h * d]) // [B, T, C]
}

/// [T_new, T_all]: query i (at position T_all − T_new + i) may see keys up to itself.
pub fn causal_mask(t_new: usize, t_all: usize, device: &Device) -> Tensor<2> {
    let past = t_all - t_new;
    let values: Vec<f32> = (0..t_new)
        .flat_map(|i| (0..t_all).map(move |j| if j > past + i { MASKED } else { 0.0 }))
        .collect();
    Tensor::from_data(TensorData::new(values, [t_new, t_all]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same query (and key) vector at each of `t` positions, rotated by RoPE from position `start`.
    fn rotated(rope: &RotaryEncoding, v: &[f32], t: usize, start: usize, device: &Device) -> Tensor<4> {
        let d = v.len();
        let x = Tensor::<1>::from_data(TensorData::new(v.to_vec(), [d]), device).reshape([1, 1, 1, d]).repeat_dim(2, t); // [1, 1, T, D]
        rope.apply(x, start)
    }

    #[test]
    fn rows_at_consecutive_positions_turn_as_burns_rope_does_and_gaps_keep_relative_scores() {
        let device = crate::backend::cpu();
        let (b, h, t, d) = (2, 3, 5, 8);
        let rope = RotaryEncodingConfig::new(64, d).init(&device);
        let mut rng = Rng::new(9);
        let x = Tensor::<1>::from_data(TensorData::new(rng.normal_vec(b * h * t * d, 1.0), [b * h * t * d]), &device).reshape([b, h, t, d]);
        let at = |p: Vec<f32>| Rotation::new(Tensor::<1>::from_data(TensorData::new(p, [b * t]), &device).reshape([b, t]), rope.theta.clone());
        let consecutive: Vec<f32> = (0..b).flat_map(|_| (0..t).map(|i| i as f32)).collect();
        let mine = at(consecutive).apply(x.clone()).into_data().to_vec::<f32>().unwrap();
        let burns = rope.apply(x.clone(), 0).into_data().to_vec::<f32>().unwrap();
        assert!(mine.iter().zip(&burns).all(|(a, b)| (a - b).abs() < 1e-5), "the same turn as burn's");
        // Row 1 placed with gaps: its q·k scores are those of burn's rope at
        // the same distances, here all shifted by 3 after the second token.
        let gapped: Vec<f32> = (0..b).flat_map(|r| (0..t).map(move |i| (i + if r == 1 && i >= 2 { 3 } else { 0 }) as f32)).collect();
        let y = at(gapped).apply(x.clone());
        let row = |y: Tensor<4>| y.slice([1..2, 0..1, 0..t, 0..d]); // [1, 1, T, D]
        let s = row(y.clone()).matmul(row(y).swap_dims(2, 3)).into_data().to_vec::<f32>().unwrap();
        let far = rope.apply(row(x.clone()).slice([0..1, 0..1, 2..t, 0..d]), 5); // positions 5, 6, 7
        let near = rope.apply(row(x).slice([0..1, 0..1, 0..2, 0..d]), 0); // positions 0, 1
        let cross = far.matmul(near.swap_dims(2, 3)).into_data().to_vec::<f32>().unwrap(); // [3, 2]
        for i in 0..3 {
            for j in 0..2 {
                assert!((s[(i + 2) * t + j] - cross[i * 2 + j]).abs() < 1e-4, "score ({}, {j})", i + 2);
            }
        }
    }

    #[test]
    fn rope_preserves_norms_and_scores_depend_on_relative_position_only() {
        let device = crate::backend::cpu();
        let (t, d) = (12, 8);
        let rope = RotaryEncodingConfig::new(64, d).init(&device);
        let mut rng = Rng::new(4);
        let (q, k) = (rng.normal_vec(d, 1.0), rng.normal_vec(d, 1.0));
        let rq = rotated(&rope, &q, t, 0, &device);
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let rows = rq.clone().into_data().try_to_vec::<f32>().unwrap();
        for row in rows.chunks(d) {
            assert!((norm(row) - norm(&q)).abs() < 1e-5, "a rotation keeps the length: {} vs {}", norm(row), norm(&q));
        }
        let score_matrix = |q_start: usize, k_start: usize| {
            let (rq, rk) = (rotated(&rope, &q, t, q_start, &device), rotated(&rope, &k, t, k_start, &device));
            rq.matmul(rk.swap_dims(2, 3)).into_data().try_to_vec::<f32>().unwrap() // [T·T]
        };
        let s = score_matrix(0, 0);
        for i in 0..t - 1 {
            for j in 0..t - 1 {
                assert!((s[i * t + j] - s[(i + 1) * t + j + 1]).abs() < 1e-4, "q·k at ({i}, {j}) and one place on differ");
            }
        }
        // Shifting both by the same offset changes nothing; distance does.
        let shifted = score_matrix(7, 7);
        assert!(s.iter().zip(&shifted).all(|(a, b)| (a - b).abs() < 1e-4));
        let spread = (0..t).map(|i| s[i * t]).fold(0f32, |m, v| m.max((v - s[0]).abs()));
        assert!(spread > 0.1, "scores must depend on the distance: spread {spread}");
    }
}
