//! The LSTM cell, written out (Hochreiter & Schmidhuber, 1997): input, forget and
//! output gates and a cell state that carries information across long spans.
//!
//!   i = σ(x·W_i + h·U_i + b_i)    what to write
//!   f = σ(x·W_f + h·U_f + b_f)    what to keep
//!   o = σ(x·W_o + h·U_o + b_o)    what to show
//!   g = tanh(x·W_g + h·U_g + b_g) the candidate
//!   c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')

use super::seeded_linear;
use crate::rng::Rng;
use burn::nn::{Embedding, EmbeddingConfig, Linear};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

#[derive(Config, Debug)]
pub struct LstmConfig {
    pub vocab: usize,
    pub hidden: usize,
    #[config(default = 0)]
    pub seed: u64,
}

#[derive(Module, Debug)]
pub struct Lstm {
    /// x·[W_i W_f W_o W_g] for each character, as a lookup: V → 4H.
    pub input: Embedding,
    /// h·[U_i U_f U_o U_g] + [b_i b_f b_o b_g]: H → 4H.
    pub recur: Linear,
    pub output: Linear,
    pub hidden: usize,
}

/// The gates at every step, for the pictures: each [B, T, H].
pub struct Gates {
    pub input: Tensor<3>,
    pub forget: Tensor<3>,
    pub output: Tensor<3>,
    pub cell: Tensor<3>,
}

impl LstmConfig {
    pub fn init(&self, device: &Device) -> Lstm {
        let mut rng = Rng::new(self.seed);
        let h = self.hidden;
        let mut input = EmbeddingConfig::new(self.vocab, 4 * h).init(device);
        let bound = 1.0 / (self.vocab as f32).sqrt();
        input.weight = burn::module::Param::from_tensor(Tensor::from_data(TensorData::new(rng.symmetric_vec(self.vocab * 4 * h, bound), [self.vocab, 4 * h]), device));
        let mut recur = seeded_linear(&mut rng, h, 4 * h, true, device);
        // A forget-gate bias of 1 (Gers et al., 2000): remember by default at the start.
        let bias: Vec<f32> = (0..4 * h).map(|j| if (h..2 * h).contains(&j) { 1.0 } else { 0.0 }).collect();
        recur.bias = Some(burn::module::Param::from_tensor(Tensor::from_data(TensorData::new(bias, [4 * h]), device)));
        Lstm { input, recur, output: seeded_linear(&mut rng, h, self.vocab, true, device), hidden: h }
    }
}

impl Lstm {
    /// Runs over `tokens` [B, T] from state (h, c), each [B, H]. Returns logits
    /// [B, T, V], the gates, and the last (h, c).
    pub fn forward(&self, tokens: Tensor<2, Int>, state: (Tensor<2>, Tensor<2>)) -> (Tensor<3>, Gates, (Tensor<2>, Tensor<2>)) {
        let xs = self.input.forward(tokens); // [B, T, 4H]
        self.forward_embedded(xs, state)
    }

    /// The same from the looked-up inputs x_t·[W_i W_f W_o W_g], [B, T, 4H].
    pub fn forward_embedded(&self, xs: Tensor<3>, state: (Tensor<2>, Tensor<2>)) -> (Tensor<3>, Gates, (Tensor<2>, Tensor<2>)) {
        let [b, t, _] = xs.dims();
        let hd = self.hidden;
        let (mut h, mut c) = state;
        let (mut is, mut fs, mut os, mut cs, mut hs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for step in 0..t {
            let z = xs.clone().slice([0..b, step..step + 1, 0..4 * hd]).reshape([b, 4 * hd]) + self.recur.forward(h); // [B, 4H]
            let i = sigmoid(z.clone().slice([0..b, 0..hd])); // [B, H]
            let f = sigmoid(z.clone().slice([0..b, hd..2 * hd])); // [B, H]
            let o = sigmoid(z.clone().slice([0..b, 2 * hd..3 * hd])); // [B, H]
            let g = z.slice([0..b, 3 * hd..4 * hd]).tanh(); // [B, H]
            c = f.clone() * c + i.clone() * g; // [B, H]
            h = o.clone() * c.clone().tanh(); // [B, H]
            for (list, v) in [(&mut is, &i), (&mut fs, &f), (&mut os, &o), (&mut cs, &c), (&mut hs, &h)] {
                list.push(v.clone().unsqueeze_dim::<3>(1));
            }
        }
        let states = Tensor::cat(hs, 1); // [B, T, H]
        let logits = self.output.forward(states); // [B, T, V]
        let gates = Gates { input: Tensor::cat(is, 1), forget: Tensor::cat(fs, 1), output: Tensor::cat(os, 1), cell: Tensor::cat(cs, 1) };
        (logits, gates, (h, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_gates_in_range_and_causal() {
        let device = crate::backend::cpu();
        let lstm = LstmConfig::new(6, 4).with_seed(2).init(&device);
        let tokens = |v: Vec<i64>| Tensor::<2, Int>::from_data(TensorData::new(v, [1, 3]), &device);
        let zero = || (Tensor::<2>::zeros([1, 4], &device), Tensor::<2>::zeros([1, 4], &device));
        let (logits, gates, (h, c)) = lstm.forward(tokens(vec![0, 1, 2]), zero());
        assert_eq!((logits.dims(), gates.forget.dims(), h.dims(), c.dims()), ([1, 3, 6], [1, 3, 4], [1, 4], [1, 4]));
        for g in [gates.input, gates.forget.clone(), gates.output] {
            assert!(g.into_data().try_to_vec::<f32>().unwrap().iter().all(|v| (0.0..=1.0).contains(v)));
        }
        let mean_forget = gates.forget.mean().into_scalar::<f32>();
        assert!(mean_forget > 0.6, "the forget bias of 1 keeps the cell at first: {mean_forget}");
        let (other, _, _) = lstm.forward(tokens(vec![0, 5, 5]), zero());
        let first = |l: Tensor<3>| l.slice([0..1, 0..1, 0..6]).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(first(logits), first(other));
    }
}
