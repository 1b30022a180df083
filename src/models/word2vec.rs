//! Skip-gram with negative sampling (Mikolov et al., 2013): each word has an
//! input vector (its embedding) and an output vector; a (word, context) pair
//! should score high, and (word, noise word) pairs low.

use crate::rng::Rng;
use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::log_sigmoid;

#[derive(Config, Debug)]
pub struct SkipGramConfig {
    pub vocab: usize,
    pub dims: usize,
    #[config(default = 0)]
    pub seed: u64,
}

#[derive(Module, Debug)]
pub struct SkipGram {
    /// [V, D]: the embeddings the labs plot and compare.
    pub input: Param<Tensor<2>>,
    /// [V, D]: the vectors words have when they appear as context.
    pub output: Param<Tensor<2>>,
}

impl SkipGramConfig {
    /// Input vectors uniform in ±0.5/D, output vectors zero (as word2vec.c does).
    pub fn init(&self, device: &Device) -> SkipGram {
        let mut rng = Rng::new(self.seed);
        let (v, d) = (self.vocab, self.dims);
        let input = TensorData::new(rng.symmetric_vec(v * d, 0.5 / d as f32), [v, d]);
        SkipGram {
            input: Param::from_tensor(Tensor::from_data(input, device)),
            output: Param::from_tensor(Tensor::zeros([v, d], device)),
        }
    }
}

impl SkipGram {
    /// Mean negative log-likelihood over the valid pairs.
    /// `centers` [C], `contexts` [C, S], `noise` [C, S, K], `valid` [C, S] (1 or 0).
    pub fn loss(&self, centers: Tensor<1, Int>, contexts: Tensor<2, Int>, noise: Tensor<3, Int>, valid: Tensor<2>) -> Tensor<1> {
        let [c, s, k] = noise.dims();
        let d = self.input.dims()[1];
        let u = self.input.val().select(0, centers); // [C, D]
        let v = self.output.val().select(0, contexts.reshape([c * s])).reshape([c, s, d]); // [C, S, D]
        let n = self.output.val().select(0, noise.reshape([c * s * k])).reshape([c, s, k, d]); // [C, S, K, D]
        let u3 = u.clone().unsqueeze_dim::<3>(1); // [C, 1, D]
        let pos = (u3.clone() * v).sum_dim(2).squeeze_dim::<2>(2); // [C, S]
        let neg = (u3.unsqueeze_dim::<4>(1) * n).sum_dim(3).squeeze_dim::<3>(3); // [C, S, K]
        let per_pair = log_sigmoid(pos) + log_sigmoid(neg.neg()).sum_dim(2).squeeze_dim::<2>(2); // [C, S]
        let total = (per_pair * valid.clone()).sum(); // [1]
        total.neg() / valid.sum().clamp_min(1.0) // [1]
    }

    /// Unit-length input vectors, for cosine similarity: [V, D].
    pub fn normalized(&self) -> Tensor<2> {
        let e = self.input.val();
        let norm = e.clone().powi_scalar(2).sum_dim(1).sqrt().clamp_min(1e-8); // [V, 1]
        e / norm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_is_log_2_times_one_plus_k_at_zero_output_vectors() {
        // With output vectors at zero every score is 0 and σ(0) = ½.
        let device = crate::backend::cpu();
        let m = SkipGramConfig::new(10, 4).with_seed(1).init(&device);
        let centers = Tensor::<1, Int>::from_data(TensorData::new(vec![1i64, 2], [2]), &device);
        let contexts = Tensor::<2, Int>::from_data(TensorData::new(vec![3i64, 4, 5, 6], [2, 2]), &device);
        let noise = Tensor::<3, Int>::from_data(TensorData::new(vec![7i64; 12], [2, 2, 3]), &device);
        let valid = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 1.0, 1.0, 0.0], [2, 2]), &device);
        let loss: f32 = m.loss(centers, contexts, noise, valid).into_scalar::<f32>();
        assert!((loss - 4.0 * std::f32::consts::LN_2).abs() < 1e-5, "{loss}");
    }
}
