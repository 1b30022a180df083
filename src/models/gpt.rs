//! A decoder-only transformer (GPT), as in `shared/peers/SPEC.md`: token and
//! position embeddings, pre-LayerNorm blocks of causal self-attention and a
//! GELU MLP, a final LayerNorm and an untied linear head.
//!
//! Weeks 3 and 4 all build on this one model: the tiny GPT, sampling, CoT,
//! PPO, DPO and tool use.

use super::attention::{causal_mask, normal_linear, CausalSelfAttention, CausalSelfAttentionConfig, LayerCache};
use crate::rng::Rng;
use burn::module::Param;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Embedding, LayerNorm, LayerNormConfig, Linear};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// How the model knows where a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Positions {
    /// No position information at all: attention sees a bag of tokens.
    None,
    /// A learned vector per position, added to the token embedding (GPT-2).
    Learned,
    /// Fixed sines and cosines of many frequencies, added (the 2017 transformer).
    Sinusoidal,
    /// Queries and keys rotated by an angle that grows with position (RoPE).
    Rope,
}

#[derive(Config, Debug)]
pub struct GptConfig {
    pub vocab_size: usize,
    pub block_size: usize,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_embd: usize,
    #[config(default = "Positions::Learned")]
    pub positions: Positions,
    #[config(default = 0)]
    pub seed: u64,
}

impl GptConfig {
    /// The spec's GPT-S: 112,512 parameters.
    pub fn gpt_s() -> Self {
        Self::new(65, 64, 2, 4, 64)
    }

    /// The spec's GPT-M: 826,368 parameters.
    pub fn gpt_m() -> Self {
        Self::new(65, 128, 4, 4, 128)
    }

    /// The spec's count: V·C + T·C + L·(12C² + 13C) + 2C + C·V (learned positions).
    pub fn param_count(&self) -> usize {
        let (v, t, l, c) = (self.vocab_size, self.block_size, self.n_layer, self.n_embd);
        let pos = if self.positions == Positions::Learned { t * c } else { 0 };
        v * c + pos + l * (12 * c * c + 13 * c) + 2 * c + c * v
    }

    /// Model FLOPs of one training step on a [B, T] batch (the spec's formula).
    pub fn step_flops(&self, batch: usize) -> f64 {
        let (b, t, l, c, v) = (batch as f64, self.block_size as f64, self.n_layer as f64, self.n_embd as f64, self.vocab_size as f64);
        6.0 * b * t * (l * 12.0 * c * c + c * v) + 12.0 * l * b * t * t * c
    }

    pub fn init(&self, device: &Device) -> Gpt {
        let mut rng = Rng::new(self.seed);
        let (c, t) = (self.n_embd, self.block_size);
        let embedding = |rng: &mut Rng, n: usize| Embedding {
            weight: Param::from_tensor(Tensor::from_data(TensorData::new(rng.normal_vec(n * c, 0.02), [n, c]), device)),
        };
        let attn = CausalSelfAttentionConfig::new(c, self.n_head)
            .with_rope(self.positions == Positions::Rope)
            .with_max_len(t);
        let blocks = (0..self.n_layer)
            .map(|_| Block {
                ln1: LayerNormConfig::new(c).init(device),
                attn: attn.init(&mut rng, device),
                ln2: LayerNormConfig::new(c).init(device),
                fc: normal_linear(&mut rng, c, 4 * c, true, device),
                fc2: normal_linear(&mut rng, 4 * c, c, true, device),
            })
            .collect();
        Gpt {
            wte: embedding(&mut rng, self.vocab_size),
            wpe: (self.positions == Positions::Learned).then(|| embedding(&mut rng, t)),
            sinusoids: (self.positions == Positions::Sinusoidal).then(|| sinusoids(t, c, device)),
            blocks,
            ln_f: LayerNormConfig::new(c).init(device),
            head: normal_linear(&mut rng, c, self.vocab_size, false, device),
            mask: causal_mask(t, t, device),
        }
    }
}

/// One pre-LayerNorm transformer block.
#[derive(Module, Debug)]
pub struct Block {
    pub ln1: LayerNorm,
    pub attn: CausalSelfAttention,
    pub ln2: LayerNorm,
    pub fc: Linear,
    pub fc2: Linear,
}

impl Block {
    pub fn forward(&self, x: Tensor<3>, mask: Tensor<2>) -> (Tensor<3>, Tensor<4>) {
        let (a, att) = self.attn.forward(self.ln1.forward(x.clone()), mask); // [B, T, C]
        let x = x + a; // [B, T, C]
        let x = x.clone() + self.mlp(self.ln2.forward(x)); // [B, T, C]
        (x, att)
    }

    pub fn forward_cached(&self, x: Tensor<3>, cache: &mut LayerCache) -> Tensor<3> {
        let x = x.clone() + self.attn.forward_cached(self.ln1.forward(x), cache); // [B, T, C]
        x.clone() + self.mlp(self.ln2.forward(x)) // [B, T, C]
    }

    fn mlp(&self, x: Tensor<3>) -> Tensor<3> {
        let h = self.fc.forward(x); // [B, T, 4C]
        let h = gelu_tanh(h); // [B, T, 4C]
        self.fc2.forward(h) // [B, T, C]
    }
}

pub use super::fused::gelu_tanh;

#[derive(Module, Debug)]
pub struct Gpt {
    pub wte: Embedding,
    pub wpe: Option<Embedding>,
    pub sinusoids: Option<Tensor<2>>,
    pub blocks: Vec<Block>,
    pub ln_f: LayerNorm,
    pub head: Linear,
    /// [T, T]: 0 on and below the diagonal, MASKED above. A constant, not a parameter.
    pub mask: Tensor<2>,
}

impl Gpt {
    /// Token ids [B, T] → logits [B, T, V].
    pub fn forward(&self, idx: Tensor<2, Int>) -> Tensor<3> {
        self.forward_with_attention(idx, false).0
    }

    /// Also returns each layer's attention weights [B, H, T, T] when asked.
    pub fn forward_with_attention(&self, idx: Tensor<2, Int>, keep: bool) -> (Tensor<3>, Vec<Tensor<4>>) {
        let t = idx.dims()[1];
        let mask = self.mask.clone().slice([0..t, 0..t]); // [T, T]
        let mut x = self.embed(idx, 0); // [B, T, C]
        let mut weights = Vec::new();
        for block in &self.blocks {
            let (y, att) = block.forward(x, mask.clone()); // [B, T, C]
            x = y;
            if keep {
                weights.push(att);
            }
        }
        let x = self.ln_f.forward(x); // [B, T, C]
        (self.head.forward(x), weights) // [B, T, V]
    }

    /// Logits for new tokens only, reusing the keys and values in `cache`.
    pub fn forward_cached(&self, idx: Tensor<2, Int>, cache: &mut KvCache) -> Tensor<3> {
        if cache.layers.len() != self.blocks.len() {
            cache.layers = vec![LayerCache::default(); self.blocks.len()];
        }
        let mut x = self.embed(idx.clone(), cache.len); // [B, T_new, C]
        for (block, layer) in self.blocks.iter().zip(cache.layers.iter_mut()) {
            x = block.forward_cached(x, layer); // [B, T_new, C]
        }
        cache.len += idx.dims()[1];
        let x = self.ln_f.forward(x); // [B, T_new, C]
        self.head.forward(x) // [B, T_new, V]
    }

    /// Token embeddings plus position information for positions offset..offset+T.
    fn embed(&self, idx: Tensor<2, Int>, offset: usize) -> Tensor<3> {
        let t = idx.dims()[1];
        let tok = self.wte.forward(idx); // [B, T, C]
        let table = match (&self.wpe, &self.sinusoids) {
            (Some(wpe), _) => Some(wpe.weight.val()),
            (None, Some(s)) => Some(s.clone()),
            (None, None) => None, // no positions, or RoPE inside attention
        };
        match table {
            Some(table) => tok + table.slice([offset..offset + t]).unsqueeze::<3>(), // [B, T, C]
            None => tok,
        }
    }

    pub fn block_size(&self) -> usize {
        self.mask.dims()[0]
    }
}

/// Keys and values of every layer for the tokens seen so far.
#[derive(Clone, Debug, Default)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    pub len: usize,
}

/// Mean cross-entropy of logits [B, T, V] against next-token targets [B, T].
pub fn lm_loss(logits: Tensor<3>, targets: Tensor<2, Int>) -> Tensor<1> {
    let [b, t, v] = logits.dims();
    let loss = CrossEntropyLossConfig::new().init(&logits.device());
    loss.forward(logits.reshape([b * t, v]), targets.reshape([b * t])) // [1]
}

/// The fixed table of "Attention is all you need": sin on even, cos on odd dims.
fn sinusoids(t: usize, c: usize, device: &Device) -> Tensor<2> {
    let mut table = vec![0.0f32; t * c];
    for pos in 0..t {
        for i in 0..c / 2 {
            let angle = pos as f64 / 10000f64.powf(2.0 * i as f64 / c as f64);
            table[pos * c + 2 * i] = angle.sin() as f32;
            table[pos * c + 2 * i + 1] = angle.cos() as f32;
        }
    }
    Tensor::from_data(TensorData::new(table, [t, c]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(rows: &[&[i64]], device: &Device) -> Tensor<2, Int> {
        let (b, t) = (rows.len(), rows[0].len());
        let flat: Vec<i64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Tensor::from_data(TensorData::new(flat, [b, t]), device)
    }

    fn values(x: Tensor<3>) -> Vec<f32> {
        x.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn gelu_tanh_is_the_tanh_approximation() {
        let device = crate::backend::cpu();
        let xs: Vec<f32> = (-80..=80).map(|i| i as f32 / 10.0).collect();
        let x = Tensor::<3>::from_data(TensorData::new(xs.clone(), [1, 1, xs.len()]), &device);
        for (got, x) in values(gelu_tanh(x)).into_iter().zip(xs) {
            let want = 0.5 * x * (1.0 + (0.797_884_6 * (x + 0.044715 * x * x * x)).tanh());
            assert!((got - want).abs() < 1e-5, "gelu({x}) = {got}, want {want}");
        }
    }

    #[test]
    fn parameter_counts_match_the_spec() {
        let device = crate::backend::cpu();
        for (config, expected) in [(GptConfig::gpt_s(), 112_512), (GptConfig::gpt_m(), 826_368)] {
            assert_eq!(config.param_count(), expected);
            assert_eq!(config.init(&device).num_params(), expected);
        }
        assert!((GptConfig::gpt_s().step_flops(16) / 1e9 - 0.730).abs() < 0.001);
        assert!((GptConfig::gpt_m().step_flops(32) / 1e9 - 22.75).abs() < 0.01);
    }

    #[test]
    fn no_position_sees_the_future() {
        let device = crate::backend::cpu();
        for positions in [Positions::Learned, Positions::Sinusoidal, Positions::Rope, Positions::None] {
            let model = GptConfig::new(11, 8, 2, 2, 16).with_positions(positions).with_seed(3).init(&device);
            let a = model.forward(tokens(&[&[1, 2, 3, 4, 5, 6, 7, 8]], &device)); // [1, 8, 11]
            let b = model.forward(tokens(&[&[1, 2, 3, 4, 9, 10, 0, 1]], &device)); // same first 4 tokens
            let (a, b) = (values(a), values(b));
            let first4 = 4 * 11;
            for i in 0..first4 {
                assert!((a[i] - b[i]).abs() < 1e-5, "{positions:?}: logit {i} changed");
            }
            assert!(a[first4..].iter().zip(&b[first4..]).any(|(x, y)| (x - y).abs() > 1e-4), "{positions:?}: later logits must change");
        }
    }

    #[test]
    fn the_kv_cache_gives_the_same_logits() {
        let device = crate::backend::cpu();
        for positions in [Positions::Learned, Positions::Rope] {
            let model = GptConfig::new(13, 16, 2, 4, 16).with_positions(positions).with_seed(5).init(&device);
            let seq: &[i64] = &[3, 1, 4, 1, 5, 9, 2, 6, 5];
            let full = values(model.forward(tokens(&[seq], &device))); // [1, 9, 13]
            let mut cache = KvCache::default();
            let mut incremental = values(model.forward_cached(tokens(&[&seq[..4]], &device), &mut cache));
            for tok in &seq[4..] {
                incremental.extend(values(model.forward_cached(tokens(&[&[*tok]], &device), &mut cache)));
            }
            assert_eq!(cache.len, seq.len());
            for (i, (x, y)) in full.iter().zip(&incremental).enumerate() {
                assert!((x - y).abs() < 1e-4, "{positions:?}: logit {i}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn attention_weights_are_causal_distributions() {
        let device = crate::backend::cpu();
        let model = GptConfig::new(7, 6, 1, 2, 8).with_seed(1).init(&device);
        let (_, att) = model.forward_with_attention(tokens(&[&[1, 2, 3, 4, 5, 6]], &device), true);
        assert_eq!(att.len(), 1);
        assert_eq!(att[0].dims(), [1, 2, 6, 6]);
        let w = att[0].clone().into_data().try_to_vec::<f32>().unwrap();
        for row in w.chunks(6).enumerate().map(|(r, row)| (r % 6, row)) {
            let (i, row) = row;
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
            assert!(row[i + 1..].iter().all(|v| *v < 1e-6), "row {i} looks ahead");
        }
    }

    /// The directional derivative along the gradient, by central differences,
    /// must equal |g|²/|g|: burn's autodiff through attention, LayerNorm and GELU.
    #[test]
    fn gradients_match_finite_differences() {
        let cpu = crate::backend::cpu();
        let device = cpu.clone().autodiff();
        let model = GptConfig::new(9, 6, 1, 2, 8).with_seed(2).init(&device);
        let rows_x: [&[i64]; 2] = [&[1, 2, 3, 4, 5, 6], &[6, 5, 4, 3, 2, 1]];
        let rows_y: [&[i64]; 2] = [&[2, 3, 4, 5, 6, 7], &[5, 4, 3, 2, 1, 0]];
        let loss = lm_loss(model.forward(tokens(&rows_x, &device)), tokens(&rows_y, &device));
        let grads = loss.backward();
        let grads = burn::optim::GradientsParams::from_grads(grads, &model);
        // Walk every parameter: θ ± ε·g/|g|.
        let mut norm2 = 0.0f64;
        struct Collect<'a> { grads: &'a burn::optim::GradientsParams, norm2: &'a mut f64 }
        impl burn::module::ModuleVisitor for Collect<'_> {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                if let Some(g) = self.grads.get::<D>(param.id) {
                    let s: f32 = g.powf_scalar(2.0).sum().into_scalar();
                    *self.norm2 += s as f64;
                }
            }
        }
        model.visit(&mut Collect { grads: &grads, norm2: &mut norm2 });
        let norm = norm2.sqrt();
        assert!(norm > 1e-3);
        struct Shift<'a> { grads: &'a burn::optim::GradientsParams, by: f64 }
        impl burn::module::ModuleMapper for Shift<'_> {
            fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
                let id = param.id;
                match self.grads.get::<D>(id) {
                    Some(g) => param.map(|t| t + g.mul_scalar(self.by)),
                    None => param,
                }
            }
        }
        // Finite differences on the plain (non-autodiff) model, where the gradients live.
        let base = model.valid();
        let (x, y) = (tokens(&rows_x, &cpu), tokens(&rows_y, &cpu));
        let at = |by: f64| -> f64 {
            let shifted = base.clone().map(&mut Shift { grads: &grads, by });
            let l: f32 = lm_loss(shifted.forward(x.clone()), y.clone()).into_scalar();
            l as f64
        };
        let rel_err = |h: f64| {
            let e = h / norm;
            let numeric = (at(e) - at(-e)) / (2.0 * e * norm);
            (numeric - norm).abs() / norm
        };
        // Central differences err by O(h²): exact gradients show that shrinkage
        // (measured: 2.1% at h = 1e-2, 0.19% at 3e-3, 0.02% at 1e-3).
        let (coarse, fine) = (rel_err(1e-2), rel_err(2e-3));
        assert!(fine < 2e-3, "directional derivative off by {fine} at h = 2e-3");
        assert!(coarse / fine > 10.0, "error must shrink quadratically: {coarse} → {fine}");
    }
}
