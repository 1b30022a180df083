//! A vanilla (Elman) RNN language model over characters:
//! h_t = tanh(x_t·W_xh + h_{t−1}·W_hh + b), logits_t = h_t·W_hy + c.

use super::seeded_linear;
use crate::rng::Rng;
use burn::nn::{Embedding, EmbeddingConfig, Linear};
use burn::prelude::*;

#[derive(Config, Debug)]
pub struct RnnConfig {
    pub vocab: usize,
    pub hidden: usize,
    #[config(default = 0)]
    pub seed: u64,
}

#[derive(Module, Debug)]
pub struct Rnn {
    /// One-hot input as a lookup: row v is W_xh's row for character v.
    pub input: Embedding,
    pub recur: Linear,
    pub output: Linear,
}

impl RnnConfig {
    pub fn init(&self, device: &Device) -> Rnn {
        let mut rng = Rng::new(self.seed);
        let mut input = EmbeddingConfig::new(self.vocab, self.hidden).init(device);
        let bound = 1.0 / (self.vocab as f32).sqrt();
        input.weight = burn::module::Param::from_tensor(Tensor::from_data(
            TensorData::new(rng.symmetric_vec(self.vocab * self.hidden, bound), [self.vocab, self.hidden]),
            device,
        ));
        Rnn {
            input,
            recur: seeded_linear(&mut rng, self.hidden, self.hidden, true, device),
            output: seeded_linear(&mut rng, self.hidden, self.vocab, true, device),
        }
    }
}

impl Rnn {
    /// Runs over `tokens` [B, T] from state `h` [B, H]; returns logits [B, T, V],
    /// every hidden state [B, T, H], and the last state (for truncated BPTT).
    pub fn forward(&self, tokens: Tensor<2, Int>, h: Tensor<2>) -> (Tensor<3>, Tensor<3>, Tensor<2>) {
        let xs = self.input.forward(tokens); // [B, T, H]
        self.forward_embedded(xs, h)
    }

    /// The same from the looked-up inputs x_t·W_xh, [B, T, H]: the labs add a
    /// zero probe here to measure the gradient that reaches each step.
    pub fn forward_embedded(&self, xs: Tensor<3>, h: Tensor<2>) -> (Tensor<3>, Tensor<3>, Tensor<2>) {
        let [b, t, _] = xs.dims();
        let hidden = h.dims()[1];
        let mut h = h;
        let mut states = Vec::with_capacity(t);
        for step in 0..t {
            let x = xs.clone().slice([0..b, step..step + 1, 0..hidden]).reshape([b, hidden]); // [B, H]
            h = (x + self.recur.forward(h)).tanh(); // [B, H]
            states.push(h.clone().unsqueeze_dim::<3>(1)); // [B, 1, H]
        }
        let states = Tensor::cat(states, 1); // [B, T, H]
        let logits = self.output.forward(states.clone()); // [B, T, V]
        (logits, states, h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_the_first_state_ignores_later_tokens() {
        let device = crate::backend::cpu();
        let rnn = RnnConfig::new(5, 8).with_seed(1).init(&device);
        let tokens = |v: Vec<i64>| Tensor::<2, Int>::from_data(TensorData::new(v, [1, 3]), &device);
        let h0 = Tensor::<2>::zeros([1, 8], &device);
        let (logits, states, last) = rnn.forward(tokens(vec![1, 2, 3]), h0.clone());
        assert_eq!((logits.dims(), states.dims(), last.dims()), ([1, 3, 5], [1, 3, 8], [1, 8]));
        let (other, _, _) = rnn.forward(tokens(vec![1, 4, 0]), h0);
        let first = |l: Tensor<3>| l.slice([0..1, 0..1, 0..5]).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(first(logits), first(other), "a recurrent net is causal");
    }
}
