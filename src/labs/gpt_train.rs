//! One training step of the GPT, written out: forward → loss → backward →
//! gradients → AdamW. The benchmark and the GPT labs share it.

use crate::models::gpt::{lm_loss, Gpt, GptConfig};
use crate::rng::Rng;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;

pub struct GptTrainer {
    config: GptConfig,
    /// Always `Some` between steps; taken while the optimizer moves it.
    model: Option<Gpt>,
    optim: ModuleOptimizer,
    x: Tensor<2, Int>, // [B, T]
    y: Tensor<2, Int>, // [B, T]
    lr: f64,
}

impl GptTrainer {
    /// AdamW as in the peer spec: lr 1e-3, betas 0.9/0.999, eps 1e-8, weight decay 0.01 on all parameters.
    pub fn new(config: GptConfig, x: Tensor<2, Int>, y: Tensor<2, Int>) -> Self {
        let device = x.device();
        let model = config.init(&device);
        let optim = AdamWConfig::new().with_beta_1(0.9).with_beta_2(0.999).with_epsilon(1e-8).with_weight_decay(0.01).init();
        Self { config, model: Some(model), optim, x, y, lr: 1e-3 }
    }

    /// The spec's data: one fixed batch of seeded uniform-random token ids.
    pub fn random_batch(config: GptConfig, batch: usize, seed: u64, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let mut rng = Rng::new(seed ^ 0xB47C);
        let n = batch * config.block_size;
        let v = config.vocab_size as u64;
        let mut ids = |_| (0..n).map(|_| rng.below(v) as i64).collect::<Vec<_>>();
        let (xs, ys) = (ids(0), ids(1));
        let shape = [batch, config.block_size];
        let x = Tensor::from_data(TensorData::new(xs, shape), &device);
        let y = Tensor::from_data(TensorData::new(ys, shape), &device);
        Self::new(config, x, y)
    }

    pub fn config(&self) -> &GptConfig {
        &self.config
    }

    pub fn batch(&self) -> usize {
        self.x.dims()[0]
    }

    pub fn model(&self) -> &Gpt {
        self.model.as_ref().expect("model is present between steps")
    }

    /// One optimizer step. Returns the loss before the update, still on the device.
    pub fn step(&mut self) -> Tensor<1> {
        let model = self.model.take().expect("model is present between steps");
        let logits = model.logits(self.x.clone()); // [B, T, V]
        let loss = lm_loss(logits, self.y.clone()); // [1]
        let grads = loss.backward();
        let grads = GradientsParams::from_grads(grads, &model);
        self.model = Some(self.optim.step(self.lr, model, grads));
        loss.detach()
    }
}
