//! Days 11–14: one layer of self-attention, written out with its own Q, K and V
//! weight matrices, over token plus learned position embeddings, and a linear
//! read-out. The scaled dot-product itself is `attention::attend`, the same
//! function the GPT uses.
//!
//!   x = tok(t) + pos(i)                 [B, T, C]
//!   q, k, v = x·W_q, x·W_k, x·W_v       split into H heads of C/H
//!   weights = softmax(q·kᵀ/√d + mask)   [B, H, T, T]
//!   y = weights·v, heads side by side, ·W_o
//!   logits = y·W_out                    [B, T, O·V]

use super::attention::{attend, causal_mask, merge_heads, split_heads};
use super::seeded_linear;
use crate::rng::Rng;
use burn::module::Param;
use burn::nn::{Embedding, Linear};
use burn::prelude::*;

#[derive(Config, Debug)]
pub struct SelfAttentionNetConfig {
    pub vocab: usize,
    pub max_len: usize,
    pub d_model: usize,
    pub n_head: usize,
    /// Answers per position, each over the whole vocabulary.
    #[config(default = 1)]
    pub outputs: usize,
    /// Let each position see only itself and earlier ones.
    #[config(default = false)]
    pub causal: bool,
    #[config(default = 0)]
    pub seed: u64,
}

#[derive(Module, Debug)]
pub struct SelfAttentionNet {
    pub tok: Embedding,
    pub pos: Embedding,
    pub wq: Linear,
    pub wk: Linear,
    pub wv: Linear,
    pub wo: Linear,
    pub head: Linear,
    pub n_head: usize,
    pub causal: bool,
}

/// Every intermediate of a forward pass, for the pictures and the tests.
pub struct Trace {
    pub x: Tensor<3>,       // [B, T, C]
    pub q: Tensor<4>,       // [B, H, T, D]
    pub k: Tensor<4>,       // [B, H, T, D]
    pub v: Tensor<4>,       // [B, H, T, D]
    pub mask: Tensor<2>,    // [T, T]
    pub weights: Tensor<4>, // [B, H, T, T]
    /// The heads' outputs side by side, before W_o: [B, T, C].
    pub mixed: Tensor<3>,
}

impl SelfAttentionNetConfig {
    pub fn init(&self, device: &Device) -> SelfAttentionNet {
        assert!(self.d_model % self.n_head == 0, "d_model must split evenly into heads");
        let mut rng = Rng::new(self.seed);
        let c = self.d_model;
        let mut embedding = |n: usize| Embedding {
            weight: Param::from_tensor(Tensor::from_data(TensorData::new(rng.normal_vec(n * c, 1.0), [n, c]), device)),
        };
        let (tok, pos) = (embedding(self.vocab), embedding(self.max_len));
        SelfAttentionNet {
            tok,
            pos,
            wq: seeded_linear(&mut rng, c, c, false, device),
            wk: seeded_linear(&mut rng, c, c, false, device),
            wv: seeded_linear(&mut rng, c, c, false, device),
            wo: seeded_linear(&mut rng, c, c, true, device),
            head: seeded_linear(&mut rng, c, self.outputs * self.vocab, true, device),
            n_head: self.n_head,
            causal: self.causal,
        }
    }
}

impl SelfAttentionNet {
    /// Token plus position embeddings: [B, T] → [B, T, C].
    pub fn embed(&self, tokens: Tensor<2, Int>) -> Tensor<3> {
        let t = tokens.dims()[1];
        let positions = Tensor::<1, Int>::arange(0..t as i64, &tokens.device()).reshape([1, t]); // [1, T]
        self.tok.forward(tokens) + self.pos.forward(positions) // [B, T, C]
    }

    pub fn forward(&self, tokens: Tensor<2, Int>) -> (Tensor<3>, Trace) {
        self.forward_embedded(self.embed(tokens))
    }

    /// From embedded inputs [B, T, C]: logits [B, T, O·V] and the trace.
    pub fn forward_embedded(&self, x: Tensor<3>) -> (Tensor<3>, Trace) {
        let t = x.dims()[1];
        let q = split_heads(self.wq.forward(x.clone()), self.n_head); // [B, H, T, D]
        let k = split_heads(self.wk.forward(x.clone()), self.n_head); // [B, H, T, D]
        let v = split_heads(self.wv.forward(x.clone()), self.n_head); // [B, H, T, D]
        let mask = if self.causal { causal_mask(t, t, &x.device()) } else { Tensor::zeros([t, t], &x.device()) }; // [T, T]
        let (y, weights) = attend(q.clone(), k.clone(), v.clone(), mask.clone()); // [B, H, T, D], [B, H, T, T]
        let mixed = merge_heads(y); // [B, T, C]
        let out = self.wo.forward(mixed.clone()); // [B, T, C]
        let logits = self.head.forward(out); // [B, T, O·V]
        (logits, Trace { x, q, k, v, mask, weights, mixed })
    }

    pub fn param_count(&self) -> usize {
        use burn::module::Module;
        self.num_params()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: Tensor<2>) -> Vec<Vec<f32>> {
        let [_, c] = t.dims();
        t.into_data().try_to_vec::<f32>().unwrap().chunks(c).map(<[f32]>::to_vec).collect()
    }

    /// Attention with plain loops over plain numbers: what the tensors must equal.
    fn naive(x: &[Vec<f32>], wq: &[Vec<f32>], wk: &[Vec<f32>], wv: &[Vec<f32>], heads: usize, causal: bool) -> (Vec<Vec<f32>>, Vec<Vec<Vec<f32>>>) {
        let (t, c) = (x.len(), x[0].len());
        let d = c / heads;
        let project = |w: &[Vec<f32>]| -> Vec<Vec<f32>> { (0..t).map(|i| (0..c).map(|j| (0..c).map(|m| x[i][m] * w[m][j]).sum()).collect()).collect() };
        let (q, k, v) = (project(wq), project(wk), project(wv));
        let mut out = vec![vec![0.0; c]; t];
        let mut all = Vec::new();
        for h in 0..heads {
            let mut weights = vec![vec![0.0f32; t]; t];
            for i in 0..t {
                let mut s: Vec<f32> = (0..t).map(|j| (0..d).map(|m| q[i][h * d + m] * k[j][h * d + m]).sum::<f32>() / (d as f32).sqrt()).collect();
                if causal {
                    s.iter_mut().skip(i + 1).for_each(|v| *v = f32::NEG_INFINITY);
                }
                let max = s.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let total: f32 = s.iter().map(|v| (v - max).exp()).sum();
                for j in 0..t {
                    weights[i][j] = (s[j] - max).exp() / total;
                    for m in 0..d {
                        out[i][h * d + m] += weights[i][j] * v[j][h * d + m];
                    }
                }
            }
            all.push(weights);
        }
        (out, all)
    }

    #[test]
    fn matches_a_naive_loop_within_1e_5() {
        let device = crate::backend::cpu();
        for (heads, causal) in [(1, false), (2, false), (4, true)] {
            let net = SelfAttentionNetConfig::new(27, 6, 8, heads).with_causal(causal).with_seed(3).init(&device);
            let tokens = Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 5, 9, 0, 26, 3], [1, 6]), &device);
            let (logits, trace) = net.forward(tokens);
            assert_eq!(logits.dims(), [1, 6, 27]);
            assert_eq!(trace.weights.dims(), [1, heads, 6, 6]);
            let x = rows(trace.x.clone().reshape([6, 8]));
            let (out, weights) = naive(&x, &rows(net.wq.weight.val()), &rows(net.wk.weight.val()), &rows(net.wv.weight.val()), heads, causal);
            let got = rows(trace.mixed.reshape([6, 8]));
            let err = |a: &[Vec<f32>], b: &[Vec<f32>]| a.iter().flatten().zip(b.iter().flatten()).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
            assert!(err(&got, &out) < 1e-5, "outputs differ by {}", err(&got, &out));
            for (h, w) in weights.iter().enumerate() {
                let mine = rows(trace.weights.clone().slice([0..1, h..h + 1, 0..6, 0..6]).reshape([6, 6]));
                assert!(err(&mine, w) < 1e-5, "head {h} weights differ by {}", err(&mine, w));
                for (i, row) in mine.iter().enumerate() {
                    assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5, "a heatmap row sums to 1");
                    if causal {
                        assert!(row[i + 1..].iter().all(|v| *v == 0.0), "no weight on the future");
                    }
                }
            }
        }
    }
}
