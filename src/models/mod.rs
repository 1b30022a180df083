//! One architecture per file: a burn `Module` plus its `Config`.

pub mod attention;
pub mod checkpoint;
pub mod fused;
pub mod gpt;
pub mod lstm;
pub mod manual_mlp;
pub mod mlp;
pub mod perceptron;
pub mod rnn;
pub mod self_attention;
pub mod text_classifier;
pub mod word2vec;

use crate::rng::Rng;
use burn::module::Param;
use burn::nn::{Embedding, Linear};
use burn::prelude::*;

/// A `Linear` layer whose weights come from our seeded host RNG, uniform in
/// ±1/sqrt(fan_in) (PyTorch's default), so every backend starts from the same model.
pub fn seeded_linear(rng: &mut Rng, d_in: usize, d_out: usize, bias: bool, device: &Device) -> Linear {
    let bound = 1.0 / (d_in as f32).sqrt();
    let weight = TensorData::new(rng.symmetric_vec(d_in * d_out, bound), [d_in, d_out]);
    let bias = bias.then(|| {
        let b = TensorData::new(rng.symmetric_vec(d_out, bound), [d_out]);
        Param::from_tensor(Tensor::<1>::from_data(b, device))
    });
    Linear {
        weight: Param::from_tensor(Tensor::<2>::from_data(weight, device)),
        bias,
    }
}

/// A `Linear` layer with N(0, 0.02) weights and zero biases (GPT-2's choice),
/// drawn from our seeded host RNG like `seeded_linear`.
pub fn normal_linear(rng: &mut Rng, d_in: usize, d_out: usize, bias: bool, device: &Device) -> Linear {
    let weight = TensorData::new(rng.normal_vec(d_in * d_out, 0.02), [d_in, d_out]);
    Linear {
        weight: Param::from_tensor(Tensor::from_data(weight, device)),
        bias: bias.then(|| Param::from_tensor(Tensor::zeros([d_out], device))),
    }
}

/// An `Embedding` of `n` vectors of width `d`, N(0, 0.02) as in GPT-2, from the seeded RNG.
pub fn normal_embedding(rng: &mut Rng, n: usize, d: usize, device: &Device) -> Embedding {
    let weight = TensorData::new(rng.normal_vec(n * d, 0.02), [n, d]);
    Embedding {
        weight: Param::from_tensor(Tensor::from_data(weight, device)),
    }
}
