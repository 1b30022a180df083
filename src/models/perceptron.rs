//! Rosenblatt's perceptron (1958): a weighted sum, a hard threshold, and a
//! learning rule with no gradients at all.
//!
//! For each example, `ŷ = step(x·w + b)`; then `w ← w + lr·(y − ŷ)·x` and
//! `b ← b + lr·(y − ŷ)`. If the classes can be split by a line, this rule finds
//! one in a finite number of updates (the perceptron convergence theorem).
//! If they cannot, as for XOR, it cycles forever.

use crate::rng::Rng;
use burn::module::Param;
use burn::prelude::*;

#[derive(Config, Debug)]
pub struct PerceptronConfig {
    pub d_input: usize,
    /// Seed of the host RNG that draws the small initial weights.
    #[config(default = 0)]
    pub seed: u64,
}

#[derive(Module, Debug)]
pub struct Perceptron {
    pub weight: Param<Tensor<2>>, // [D, 1]
    pub bias: Param<Tensor<1>>,   // [1]
}

impl PerceptronConfig {
    pub fn init(&self, device: &Device) -> Perceptron {
        let mut rng = Rng::new(self.seed);
        let w = TensorData::new(rng.symmetric_vec(self.d_input, 0.1), [self.d_input, 1]);
        let b = TensorData::new(rng.symmetric_vec(1, 0.1), [1]);
        Perceptron {
            weight: Param::from_tensor(Tensor::from_data(w, device)),
            bias: Param::from_tensor(Tensor::from_data(b, device)),
        }
    }
}

impl Perceptron {
    /// The weighted sum `x·w + b`: its sign is the decision.
    pub fn score(&self, x: Tensor<2>) -> Tensor<2> {
        let z = x.matmul(self.weight.val()); // [N, 1]
        z + self.bias.val().unsqueeze::<2>() // [N, 1]
    }

    /// The hard-threshold output, 1.0 or 0.0.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.score(x).greater_equal_elem(0.0).float() // [N, 1]
    }

    /// One application of the perceptron rule to a single example.
    pub fn learn(self, x: Tensor<2>, y: Tensor<2>, lr: f64) -> Self {
        let y_hat = self.forward(x.clone()); // [1, 1]
        let err = (y - y_hat).mul_scalar(lr); // [1, 1], lr·(y − ŷ) ∈ {−lr, 0, lr}
        let dw = x.transpose().matmul(err.clone()); // [D, 1]
        let db = err.reshape([1]); // [1]
        Perceptron {
            weight: Param::from_tensor(self.weight.val() + dw),
            bias: Param::from_tensor(self.bias.val() + db),
        }
    }

    /// The perceptron criterion: mean of max(0, −s·z) with s = ±1 the label's sign.
    /// It is zero exactly when every point is on its correct side.
    pub fn criterion(&self, x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
        let z = self.score(x); // [N, 1]
        let sign = y.mul_scalar(2.0).sub_scalar(1.0); // [N, 1]
        let margin = (sign * z).neg().clamp_min(0.0); // [N, 1]
        margin.mean() // [1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_moves_the_line_towards_a_misclassified_point() {
        let device = crate::backend::cpu();
        let p = Perceptron {
            weight: Param::from_tensor(Tensor::from_floats([[0.0], [0.0]], &device)),
            bias: Param::from_tensor(Tensor::from_floats([-1.0], &device)),
        };
        let x = Tensor::<2>::from_floats([[1.0, 2.0]], &device);
        let y = Tensor::<2>::from_floats([[1.0]], &device);
        // score = -1 < 0, so ŷ = 0 and the update is +lr·x.
        let p = p.learn(x, y, 0.5);
        let w: Vec<f32> = p.weight.val().into_data().try_to_vec::<f32>().unwrap();
        let b: Vec<f32> = p.bias.val().into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(w, vec![0.5, 1.0]);
        assert_eq!(b, vec![-0.5]);
    }
}
