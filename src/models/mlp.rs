//! A one-hidden-layer perceptron: Linear → tanh (or ReLU) → Linear.
//!
//! The 2-H-1 version solves XOR, which a single perceptron cannot: each hidden
//! unit draws one line across the plane, and the output unit combines them.

use super::seeded_linear;
use crate::rng::Rng;
use burn::nn::Linear;
use burn::prelude::*;

#[derive(Config, Debug)]
pub struct MlpConfig {
    pub d_input: usize,
    pub d_hidden: usize,
    pub d_output: usize,
    /// Seed of the host RNG that draws the initial weights.
    #[config(default = 0)]
    pub seed: u64,
    #[config(default = "Activation::Tanh")]
    pub activation: Activation,
}

/// The hidden layer's non-linearity: tanh for the small XOR net, ReLU for MNIST.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum Activation {
    Tanh,
    Relu,
}

#[derive(Module, Debug)]
pub struct Mlp {
    pub fc1: Linear,
    pub fc2: Linear,
    #[module(skip)]
    pub activation: Activation,
}

impl MlpConfig {
    pub fn init(&self, device: &Device) -> Mlp {
        let mut rng = Rng::new(self.seed);
        Mlp {
            fc1: seeded_linear(&mut rng, self.d_input, self.d_hidden, true, device),
            fc2: seeded_linear(&mut rng, self.d_hidden, self.d_output, true, device),
            activation: self.activation,
        }
    }
}

impl Mlp {
    /// Returns the output logits (before any sigmoid or softmax).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let h = self.hidden(x); // [N, H]
        self.fc2.forward(h) // [N, O]
    }

    /// The hidden layer's activations, for plots of what each unit has learned.
    pub fn hidden(&self, x: Tensor<2>) -> Tensor<2> {
        let h = self.fc1.forward(x); // [N, H]
        match self.activation {
            Activation::Tanh => h.tanh(),
            Activation::Relu => burn::tensor::activation::relu(h),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_seeded_init() {
        let device = crate::backend::cpu();
        let config = MlpConfig::new(2, 5, 1).with_seed(3);
        let a = config.init(&device);
        let b = config.init(&device);
        let x = Tensor::<2>::zeros([4, 2], &device);
        assert_eq!(a.forward(x.clone()).dims(), [4, 1]);
        assert_eq!(a.hidden(x).dims(), [4, 5]);
        let wa = a.fc1.weight.val().into_data();
        let wb = b.fc1.weight.val().into_data();
        assert_eq!(wa, wb, "the same seed must give the same weights");
    }
}
