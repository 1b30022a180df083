//! The control beside every tuning run (Days 26 and 27): the same start,
//! fine-tuned on the right chains of the very questions tuning drew, one
//! plain CoT update (next-character loss after the question) for each update
//! of the tuned model, at its learning rate. Whatever the control gains too
//! comes from practising those questions, not from the method; the labs'
//! headline is the gain over it, measured on the same held-out questions.

use crate::data::chars::CharVocab;
use crate::data::reasoning::{Problem, PAD};
use crate::labs::reason::rows::{batch, Row};
use crate::labs::reason::Format;
use crate::models::gpt::{lm_loss_ignoring, Gpt};
use burn::module::{Module, ModuleMapper, Param};
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;

pub struct Control {
    pub model: Option<Gpt>,
    optim: ModuleOptimizer,
    /// Questions drawn by tuning since the last update.
    drawn: Vec<Problem>,
}

impl Control {
    /// A copy of the start with parameters (and optimizer state) of its own.
    pub fn new(start: &Gpt) -> Self {
        Control { model: Some(start.clone().map(&mut Fresh)), optim: AdamWConfig::new().with_beta_2(0.99).init(), drawn: Vec::new() }
    }

    /// A question tuning drew: the control practises it too.
    pub fn saw(&mut self, p: &Problem) {
        self.drawn.push(p.clone());
    }

    /// `updates` steps on the right chains of the questions drawn since the
    /// last call (none when `learns` is false, as the tuned model's PPO value
    /// warm-up holds it still); forward → loss → backward → gradients → AdamW.
    pub fn update(&mut self, updates: usize, learns: bool, lr: f64, vocab: &CharVocab, device: &Device) {
        let drawn = std::mem::take(&mut self.drawn);
        if drawn.is_empty() || !learns {
            return;
        }
        let rows: Vec<Row> = drawn.iter().map(|p| Row::new(Format::Cot, p, vocab)).collect();
        let picks: Vec<usize> = (0..rows.len()).collect();
        let block = self.model().block_size();
        let (x, y, t) = batch(&rows, &picks, block);
        let shape = [rows.len(), t];
        let x = Tensor::<2, Int>::from_data(TensorData::new(x, shape), device); // [B, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(y, shape), device); // [B, T]
        for _ in 0..updates {
            let model = self.model.take().expect("the control is present between steps");
            let logits = model.logits(x.clone()); // [B, T, V]
            let loss = lm_loss_ignoring(logits, y.clone(), PAD as usize); // [1]
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            self.model = Some(self.optim.step(lr, model, grads));
        }
    }

    pub fn model(&self) -> &Gpt {
        self.model.as_ref().expect("the control is present between steps")
    }
}

/// A copy of a model with parameters of its own: new ids, new leaves of the
/// graph, so that its gradients and optimizer state never mix with the original's.
pub struct Fresh;

impl ModuleMapper for Fresh {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        Param::from_tensor(param.val().detach())
    }
}
