//! A decoder-only transformer (GPT), as in `shared/peers/SPEC.md`: token and
//! position embeddings, pre-LayerNorm blocks of causal self-attention and a
//! GELU MLP, a final LayerNorm and an untied linear head.
//!
//! Weeks 3 and 4 all build on this one model: the tiny GPT, sampling, CoT,
//! PPO, DPO and tool use.

use super::attention::{causal_mask, CausalSelfAttention, CausalSelfAttentionConfig, LayerCache, Rotation};
use super::fused::gelu_tanh;
use super::{normal_embedding, normal_linear};
use crate::rng::Rng;
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

/// Where a block's LayerNorms sit (Day 15 compares them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Norm {
    /// Before each sub-layer, inside its branch (GPT-2): x + f(ln(x)).
    Pre,
    /// After each residual sum (the 2017 transformer): ln(x + f(x)).
    Post,
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
    #[config(default = "Norm::Pre")]
    pub norm: Norm,
    /// Each sub-layer adds to the stream (x + f(x)); without, it replaces it.
    #[config(default = true)]
    pub residual: bool,
    /// Each position attends to itself and the past only (a decoder); without,
    /// to every position (an encoder, Day 16, or Day 17's cheating decoder).
    #[config(default = true)]
    pub causal: bool,
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
        let attn = CausalSelfAttentionConfig::new(c, self.n_head)
            .with_rope(self.positions == Positions::Rope)
            .with_max_len(t);
        // The order of the draws (the blocks, then wte, wpe and the head) fixes
        // the weights of every seed: runs and peers compare on it.
        let blocks = (0..self.n_layer)
            .map(|_| Block {
                ln1: LayerNormConfig::new(c).init(device),
                attn: attn.init(&mut rng, device),
                ln2: LayerNormConfig::new(c).init(device),
                mlp: Mlp::init(&mut rng, c, device),
                norm: self.norm,
                residual: self.residual,
            })
            .collect();
        Gpt {
            wte: normal_embedding(&mut rng, self.vocab_size, c, device),
            wpe: (self.positions == Positions::Learned).then(|| normal_embedding(&mut rng, t, c, device)),
            sinusoids: (self.positions == Positions::Sinusoidal).then(|| sinusoids(t, c, device)),
            blocks,
            ln_f: LayerNormConfig::new(c).init(device),
            head: normal_linear(&mut rng, c, self.vocab_size, false, device),
            mask: if self.causal { causal_mask(t, t, device) } else { Tensor::zeros([t, t], device) },
        }
    }
}

/// The feed-forward half of a block: widen to 4C, GELU, project back to C.
#[derive(Module, Debug)]
pub struct Mlp {
    pub c_fc: Linear,
    pub c_proj: Linear,
}

impl Mlp {
    pub fn init(rng: &mut Rng, n_embd: usize, device: &Device) -> Self {
        Self {
            c_fc: normal_linear(rng, n_embd, 4 * n_embd, true, device),
            c_proj: normal_linear(rng, 4 * n_embd, n_embd, true, device),
        }
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = self.c_fc.forward(x); // [B, T, 4C]
        let x = gelu_tanh(x); // [B, T, 4C]
        self.c_proj.forward(x) // [B, T, C]
    }
}

/// One transformer block: x + attn(ln1(x)), then x + mlp(ln2(x)) (pre-LN, the
/// default); post-LN norms after each sum instead, and without `residual` each
/// sub-layer's output replaces the stream.
#[derive(Module, Debug)]
pub struct Block {
    pub ln1: LayerNorm,
    pub attn: CausalSelfAttention,
    pub ln2: LayerNorm,
    pub mlp: Mlp,
    #[module(skip)]
    pub norm: Norm,
    #[module(skip)]
    pub residual: bool,
}

/// What one block computed: the stream after it, and what the pictures need.
pub struct BlockOutput {
    /// [B, T, C]: the stream after the block.
    pub x: Tensor<3>,
    /// [B, H, T, T_past + T]: the attention weights.
    pub attention: Tensor<4>,
    /// What attention and the MLP each wrote, before any norm: [B, T, C] each.
    pub added: [Tensor<3>; 2],
    /// [B, T, C]: the stream between the two sub-layers.
    pub mid: Tensor<3>,
}

impl Block {
    /// `x` [B, T, C] and `mask` [T, T_past + T] as in `CausalSelfAttention::forward`,
    /// which also gets `cache` and `at`.
    pub fn forward(&self, x: Tensor<3>, mask: Tensor<2>, cache: Option<&mut LayerCache>, at: Option<&Rotation>) -> BlockOutput {
        let h = self.pre(&self.ln1, x.clone()); // [B, T, C]
        let (a, attention) = self.attn.forward(h, mask, cache, at); // [B, T, C], [B, H, T, T_past + T]
        let mid = self.post(&self.ln1, self.add(x, a.clone())); // [B, T, C]
        let h = self.pre(&self.ln2, mid.clone()); // [B, T, C]
        let m = self.mlp.forward(h); // [B, T, C]
        let x = self.post(&self.ln2, self.add(mid.clone(), m.clone())); // [B, T, C]
        BlockOutput { x, attention, added: [a, m], mid }
    }

    fn pre(&self, ln: &LayerNorm, x: Tensor<3>) -> Tensor<3> {
        if self.norm == Norm::Pre { ln.forward(x) } else { x }
    }

    fn post(&self, ln: &LayerNorm, x: Tensor<3>) -> Tensor<3> {
        if self.norm == Norm::Post { ln.forward(x) } else { x }
    }

    fn add(&self, x: Tensor<3>, h: Tensor<3>) -> Tensor<3> {
        if self.residual { x + h } else { h }
    }
}

#[derive(Module, Debug)]
pub struct Gpt {
    pub wte: Embedding,
    pub wpe: Option<Embedding>,
    pub sinusoids: Option<Tensor<2>>,
    pub blocks: Vec<Block>,
    pub ln_f: LayerNorm,
    pub head: Linear,
    /// [T, T]: 0 on and below the diagonal, MASKED above (all 0 when not
    /// causal). A constant, not a parameter.
    pub mask: Tensor<2>,
}

/// What `Gpt::forward` returns.
pub struct GptOutput {
    /// [B, T, V]: the next-token logits at each position of `idx`.
    pub logits: Tensor<3>,
    /// Each layer's attention weights [B, H, T, T_past + T] when captured, else empty.
    pub attention: Vec<Tensor<4>>,
}

impl Gpt {
    /// The most positions the model reads at once (its context length).
    pub fn block_size(&self) -> usize {
        self.mask.dims()[0]
    }

    /// Token ids [B, T] → logits [B, T, V]: the training step's forward.
    pub fn logits(&self, idx: Tensor<2, Int>) -> Tensor<3> {
        self.forward(idx, None, false).logits
    }

    /// The one forward pass. With a `cache`, `idx` holds new tokens only: they
    /// come after the cache's `len` positions (at most `block_size` in all),
    /// attend to its keys and values too, and are added to it. `capture` keeps
    /// each layer's attention weights, for the pictures.
    pub fn forward(&self, idx: Tensor<2, Int>, mut cache: Option<&mut KvCache>, capture: bool) -> GptOutput {
        let t = idx.dims()[1];
        let past = cache.as_ref().map_or(0, |cache| cache.len); // T_past
        let mask = self.mask.clone().slice([past..past + t, 0..past + t]); // [T, T_past + T]
        let x = self.embed(idx, past); // [B, T, C]
        let mut attention = Vec::new();
        let x = self.walk(x, mask, cache.as_deref_mut(), None, |out| {
            if capture {
                attention.push(out.attention.clone()); // [B, H, T, T_past + T]
            }
        }); // [B, T, C]
        if let Some(cache) = cache {
            cache.len += t;
        }
        let logits = self.readout(x); // [B, T, V]
        GptOutput { logits, attention }
    }

    /// The one walk over the blocks: the stream `x` [B, T, C] through each in
    /// turn under `mask` [T, T_past + T], with its layer of `cache` and the
    /// tokens placed `at` (RoPE with gaps) where given; `each` sees what every
    /// block computed (the pictures keep its attention or its stream).
    fn walk(&self, mut x: Tensor<3>, mask: Tensor<2>, mut cache: Option<&mut KvCache>, at: Option<&Rotation>, mut each: impl FnMut(&BlockOutput)) -> Tensor<3> {
        for (i, block) in self.blocks.iter().enumerate() {
            let layer = cache.as_deref_mut().map(|cache| cache.layer(i));
            let out = block.forward(x, mask.clone(), layer, at);
            each(&out);
            x = out.x; // [B, T, C]
        }
        x
    }

    /// Token ids [B, T] → logits [B, T, V] with each row's tokens at
    /// `positions` [B, T] (rising whole numbers, as floats) instead of 0..T:
    /// training with gaps between a chain's steps (`attention::Rotation`).
    /// Only RoPE can place tokens so; a model with other positions is refused.
    pub fn logits_at(&self, idx: Tensor<2, Int>, positions: Tensor<2>) -> Result<Tensor<3>, String> {
        let theta = match self.blocks.first().and_then(|b| b.attn.rope.as_ref()) {
            Some(rope) => rope.theta.clone(), // [D/2]
            None => return Err("positions with gaps need RoPE (positions = rope)".into()),
        };
        let t = idx.dims()[1];
        let at = Rotation::new(positions, theta); // [B, 1, T, D/2] twice
        let mask = self.mask.clone().slice([0..t, 0..t]); // [T, T]
        let x = self.wte.forward(idx); // [B, T, C]: RoPE adds no position vector
        let x = self.walk(x, mask, None, Some(&at), |_| {}); // [B, T, C]
        Ok(self.readout(x)) // [B, T, V]
    }

    /// What the head reads from a residual stream [B, T, C]: the final
    /// LayerNorm, then the linear head, giving logits [B, T, V]. Applied to the
    /// stream after any block it is the logit lens (Day 21).
    pub fn readout(&self, x: Tensor<3>) -> Tensor<3> {
        let x = self.ln_f.forward(x); // [B, T, C]
        self.head.forward(x) // [B, T, V]
    }

    /// The residual stream after the embeddings and after each block, [B, T, C]
    /// each (L + 1 of them), and each block's attention [B, H, T, T]: the model
    /// taken apart, for Day 21.
    pub fn streams(&self, idx: Tensor<2, Int>) -> (Vec<Tensor<3>>, Vec<Tensor<4>>) {
        let t = idx.dims()[1];
        let mask = self.mask.clone().slice([0..t, 0..t]); // [T, T]
        let x = self.embed(idx, 0); // [B, T, C]
        let (mut streams, mut attention) = (vec![x.clone()], Vec::new());
        self.walk(x, mask, None, None, |out| {
            streams.push(out.x.clone()); // [B, T, C]
            attention.push(out.attention.clone()); // [B, H, T, T]
        });
        (streams, attention)
    }

    /// Token embeddings plus position information for positions past..past+T:
    /// the only place that knows where a token is, except RoPE inside attention.
    pub fn embed(&self, idx: Tensor<2, Int>, past: usize) -> Tensor<3> {
        let t = idx.dims()[1];
        let tok = self.wte.forward(idx); // [B, T, C]
        let table = match (&self.wpe, &self.sinusoids) {
            (Some(wpe), _) => Some(wpe.weight.val()),
            (None, Some(s)) => Some(s.clone()),
            (None, None) => None, // no positions, or RoPE inside attention
        };
        match table {
            Some(table) => tok + table.slice([past..past + t]).unsqueeze::<3>(), // [B, T, C]
            None => tok,
        }
    }
}

/// Keys and values of every layer for the tokens seen so far.
#[derive(Clone, Debug, Default)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    pub len: usize,
}

impl KvCache {
    /// Layer i's cache, made on first use.
    fn layer(&mut self, i: usize) -> &mut LayerCache {
        if self.layers.len() <= i {
            self.layers.resize_with(i + 1, LayerCache::default);
        }
        &mut self.layers[i]
    }
}

/// Mean cross-entropy of logits [B, T, V] against next-token targets [B, T].
pub fn lm_loss(logits: Tensor<3>, targets: Tensor<2, Int>) -> Tensor<1> {
    let [b, t, v] = logits.dims();
    let loss = CrossEntropyLossConfig::new().init(&logits.device());
    loss.forward(logits.reshape([b * t, v]), targets.reshape([b * t])) // [1]
}

/// Mean cross-entropy over the positions whose target is not `pad`: week 4
/// learns only what follows a question, and rows end at different lengths.
pub fn lm_loss_ignoring(logits: Tensor<3>, targets: Tensor<2, Int>, pad: usize) -> Tensor<1> {
    let [b, t, v] = logits.dims();
    let loss = CrossEntropyLossConfig::new().with_pad_tokens(Some(vec![pad])).init(&logits.device());
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
    use burn::module::Param;

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
            let a = model.logits(tokens(&[&[1, 2, 3, 4, 5, 6, 7, 8]], &device)); // [1, 8, 11]
            let b = model.logits(tokens(&[&[1, 2, 3, 4, 9, 10, 0, 1]], &device)); // same first 4 tokens
            let (a, b) = (values(a), values(b));
            let first4 = 4 * 11;
            for i in 0..first4 {
                assert!((a[i] - b[i]).abs() < 1e-5, "{positions:?}: logit {i} changed");
            }
            assert!(a[first4..].iter().zip(&b[first4..]).any(|(x, y)| (x - y).abs() > 1e-4), "{positions:?}: later logits must change");
        }
    }

    #[test]
    fn placed_at_0_to_t_a_row_reads_as_usual_and_gaps_move_only_later_logits() {
        let device = crate::backend::cpu();
        let model = GptConfig::new(11, 16, 2, 2, 16).with_positions(Positions::Rope).with_seed(4).init(&device);
        let seq: &[i64] = &[1, 2, 3, 4, 5, 6, 7, 8];
        let at = |p: &[f32]| Tensor::<1>::from_data(TensorData::new(p.to_vec(), [8]), &device).reshape([1, 8]);
        let usual = values(model.logits(tokens(&[seq], &device)));
        let placed = values(model.logits_at(tokens(&[seq], &device), at(&[0., 1., 2., 3., 4., 5., 6., 7.])).unwrap());
        assert!(usual.iter().zip(&placed).all(|(a, b)| (a - b).abs() < 1e-4));
        // A gap after the fourth token: the first four read nothing new.
        let gapped = values(model.logits_at(tokens(&[seq], &device), at(&[0., 1., 2., 3., 7., 8., 9., 10.])).unwrap());
        assert!(usual[..44].iter().zip(&gapped[..44]).all(|(a, b)| (a - b).abs() < 1e-4));
        assert!(usual[44..].iter().zip(&gapped[44..]).any(|(a, b)| (a - b).abs() > 1e-4), "later tokens see the gap");
        let learned = GptConfig::new(11, 16, 2, 2, 16).init(&device);
        assert!(learned.logits_at(tokens(&[seq], &device), at(&[0.; 8])).is_err(), "only RoPE places tokens");
    }

    #[test]
    fn the_kv_cache_gives_the_same_logits() {
        let device = crate::backend::cpu();
        for positions in [Positions::Learned, Positions::Rope] {
            let model = GptConfig::new(13, 16, 2, 4, 16).with_positions(positions).with_seed(5).init(&device);
            let seq: &[i64] = &[3, 1, 4, 1, 5, 9, 2, 6, 5];
            let full = values(model.logits(tokens(&[seq], &device))); // [1, 9, 13]
            let mut cache = KvCache::default();
            let mut incremental = values(model.forward(tokens(&[&seq[..4]], &device), Some(&mut cache), false).logits);
            for tok in &seq[4..] {
                let out = model.forward(tokens(&[&[*tok]], &device), Some(&mut cache), true);
                // The new token's weights over every position so far, one layer each.
                assert_eq!(out.attention.len(), 2);
                assert_eq!(out.attention[0].dims(), [1, 4, 1, cache.len]);
                incremental.extend(values(out.logits));
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
        let att = model.forward(tokens(&[&[1, 2, 3, 4, 5, 6]], &device), None, true).attention;
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
        let loss = lm_loss(model.logits(tokens(&rows_x, &device)), tokens(&rows_y, &device));
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
            let l: f32 = lm_loss(shifted.logits(x.clone()), y.clone()).into_scalar();
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
