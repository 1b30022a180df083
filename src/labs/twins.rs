//! Models trained side by side in lock-step on the same batches (Day 15's
//! stacks with and without residuals, Day 16's encoder and its causal twin,
//! Day 17's decoder with and without the mask): each keeps its optimizer, and
//! its per-step losses stay on the device until a snapshot reads them together
//! with everything else.

use crate::models::gpt::Gpt;
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::prelude::*;

pub struct Twin {
    /// Always `Some` between steps; taken while the optimizer moves it.
    model: Option<Gpt>,
    pub optim: ModuleOptimizer,
    /// Per-step losses on the device until the next snapshot.
    pending: Vec<Tensor<1>>,
    pub last_loss: Option<f32>,
}

impl Twin {
    /// A model with a fresh Adam.
    pub fn new(model: Gpt) -> Self {
        Twin { model: Some(model), optim: AdamConfig::new().init(), pending: Vec::new(), last_loss: None }
    }

    pub fn model(&self) -> &Gpt {
        self.model.as_ref().expect("the model is present between steps")
    }

    /// Takes the model out for its optimizer step; `put` brings it back.
    pub fn take(&mut self) -> Gpt {
        self.model.take().expect("the model is present between steps")
    }

    /// The stepped model, and the loss of its step (kept on the device).
    pub fn put(&mut self, model: Gpt, loss: Tensor<1>) {
        self.model = Some(model);
        self.pending.push(loss.detach());
    }

    /// This twin's losses as read back: curve points from step `first + 1`,
    /// or why training cannot go on. `name` says which model, in a sentence.
    pub fn losses(&mut self, values: &[f32], first: usize, name: &str, lr: f64) -> Result<Vec<(u32, f32)>, String> {
        if let Some((i, bad)) = values.iter().enumerate().find(|(_, l)| !l.is_finite()) {
            return Err(format!("The {name} diverged at step {}: the loss became {bad}. Lower the learning rate ({lr}) and press Reset.", first + i + 1));
        }
        self.last_loss = values.last().copied().or(self.last_loss);
        Ok(values.iter().enumerate().map(|(i, l)| ((first + i + 1) as u32, *l)).collect())
    }
}

/// Every twin's losses since the last snapshot, twin after twin, off the
/// autodiff graph: `n` each, ready to join the snapshot's one read.
pub fn pending(twins: &mut [Twin]) -> (usize, Vec<Tensor<1>>) {
    let n = twins.first().map_or(0, |t| t.pending.len());
    (n, twins.iter_mut().flat_map(|t| std::mem::take(&mut t.pending)).map(|l| l.inner()).collect())
}
