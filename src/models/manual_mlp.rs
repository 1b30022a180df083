//! A 2-layer network whose forward and backward passes are written out by hand
//! as matrix products, with no autodiff: Linear → tanh → Linear → softmax, and
//! the cross-entropy loss. Day 3 checks these gradients against burn's autodiff
//! and against finite differences.

use crate::rng::Rng;
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// The four parameter tensors, in the order the page lists them.
pub const NAMES: [&str; 4] = ["W1", "b1", "W2", "b2"];

#[derive(Clone, Debug)]
pub struct ManualMlp {
    pub w1: Tensor<2>, // [I, H]
    pub b1: Tensor<1>, // [H]
    pub w2: Tensor<2>, // [H, C]
    pub b2: Tensor<1>, // [C]
}

/// What the forward pass keeps for the backward pass.
pub struct Cache {
    pub x: Tensor<2>, // [N, I]
    pub h: Tensor<2>, // [N, H], after tanh
    pub p: Tensor<2>, // [N, C], softmax probabilities
}

/// dLoss/dParameter for each parameter, same shapes.
#[derive(Clone, Debug)]
pub struct Grads {
    pub w1: Tensor<2>,
    pub b1: Tensor<1>,
    pub w2: Tensor<2>,
    pub b2: Tensor<1>,
}

impl ManualMlp {
    /// Uniform in ±1/√fan_in from the seeded host RNG, biases zero.
    pub fn new(inputs: usize, hidden: usize, classes: usize, seed: u64, device: &Device) -> Self {
        let mut rng = Rng::new(seed);
        let mut matrix = |rows: usize, cols: usize| {
            let bound = 1.0 / (rows as f32).sqrt();
            Tensor::<2>::from_data(TensorData::new(rng.symmetric_vec(rows * cols, bound), [rows, cols]), device)
        };
        let (w1, w2) = (matrix(inputs, hidden), matrix(hidden, classes));
        Self { w1, b1: Tensor::zeros([hidden], device), w2, b2: Tensor::zeros([classes], device) }
    }

    pub fn forward(&self, x: Tensor<2>) -> Cache {
        let z1 = x.clone().matmul(self.w1.clone()) + self.b1.clone().unsqueeze(); // [N, H]
        let h = z1.tanh(); // [N, H]
        let z2 = h.clone().matmul(self.w2.clone()) + self.b2.clone().unsqueeze(); // [N, C]
        let p = softmax(z2, 1); // [N, C]
        Cache { x, h, p }
    }

    /// Mean cross-entropy −log p[y] over the batch. `y` is one-hot [N, C].
    pub fn loss(cache: &Cache, y: Tensor<2>) -> Tensor<1> {
        (cache.p.clone().clamp_min(1e-12).log() * y).sum_dim(1).mean().neg() // [1]
    }

    /// The chain rule, one layer at a time, from the loss back to W1.
    pub fn backward(&self, cache: &Cache, y: Tensor<2>) -> Grads {
        let n = cache.x.dims()[0] as f32;
        let dz2 = (cache.p.clone() - y) / n; // [N, C]: softmax + cross-entropy together
        let dw2 = cache.h.clone().transpose().matmul(dz2.clone()); // [H, C]
        let db2 = dz2.clone().sum_dim(0).squeeze_dim(0); // [C]
        let dh = dz2.matmul(self.w2.clone().transpose()); // [N, H]
        let dz1 = dh * (cache.h.clone().powi_scalar(2).neg() + 1.0); // [N, H]: tanh' = 1 − tanh²
        let dw1 = cache.x.clone().transpose().matmul(dz1.clone()); // [I, H]
        let db1 = dz1.sum_dim(0).squeeze_dim(0); // [H]
        Grads { w1: dw1, b1: db1, w2: dw2, b2: db2 }
    }

    /// Plain gradient descent: θ ← θ − lr·∂L/∂θ.
    pub fn sgd(self, g: &Grads, lr: f64) -> Self {
        Self {
            w1: self.w1 - g.w1.clone() * lr,
            b1: self.b1 - g.b1.clone() * lr,
            w2: self.w2 - g.w2.clone() * lr,
            b2: self.b2 - g.b2.clone() * lr,
        }
    }

    /// All parameters flattened in NAMES order: [P].
    pub fn flat(&self) -> Tensor<1> {
        Tensor::cat(vec![self.w1.clone().reshape([-1]), self.b1.clone(), self.w2.clone().reshape([-1]), self.b2.clone()], 0)
    }

    pub fn dims(&self) -> (usize, usize, usize) {
        let [i, h] = self.w1.dims();
        (i, h, self.b2.dims()[0])
    }
}

impl Grads {
    /// All gradients flattened in NAMES order: [P].
    pub fn flat(&self) -> Tensor<1> {
        Tensor::cat(vec![self.w1.clone().reshape([-1]), self.b1.clone(), self.w2.clone().reshape([-1]), self.b2.clone()], 0)
    }
}

/// The same network's loss in f64 on the host, from flat parameters: the
/// reference that finite differences perturb.
pub fn loss_f64(params: &[f64], (i, h, c): (usize, usize, usize), x: &[[f32; 2]], y: &[u8]) -> f64 {
    debug_assert_eq!(i, 2);
    let (w1, rest) = params.split_at(i * h);
    let (b1, rest) = rest.split_at(h);
    let (w2, b2) = rest.split_at(h * c);
    let mut total = 0.0;
    for (point, &label) in x.iter().zip(y) {
        let hidden: Vec<f64> = (0..h).map(|j| (point[0] as f64 * w1[j] + point[1] as f64 * w1[h + j] + b1[j]).tanh()).collect();
        let z: Vec<f64> = (0..c).map(|k| b2[k] + (0..h).map(|j| hidden[j] * w2[j * c + k]).sum::<f64>()).collect();
        let max = z.iter().cloned().fold(f64::MIN, f64::max);
        let log_sum = z.iter().map(|v| (v - max).exp()).sum::<f64>().ln() + max;
        total += log_sum - z[label as usize];
    }
    total / x.len() as f64
}

/// Central finite differences of `loss_f64` for every parameter.
pub fn numeric_grads(params: &[f64], dims: (usize, usize, usize), x: &[[f32; 2]], y: &[u8]) -> Vec<f64> {
    const STEP: f64 = 1e-6;
    let mut p = params.to_vec();
    (0..p.len())
        .map(|k| {
            let keep = p[k];
            p[k] = keep + STEP;
            let up = loss_f64(&p, dims, x, y);
            p[k] = keep - STEP;
            let down = loss_f64(&p, dims, x, y);
            p[k] = keep;
            (up - down) / (2.0 * STEP)
        })
        .collect()
}

/// |a − b| / max(|a| + |b|, 1e-6): a relative error that stays finite where a
/// gradient is exactly zero.
pub fn relative_error(a: f64, b: f64) -> f64 {
    (a - b).abs() / (a.abs() + b.abs()).max(1e-6)
}
