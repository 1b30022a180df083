//! An MLP text classifier over a bag of words. With `embed_dims = None` the bag
//! is the input (one-hot words summed); with `Some(D)` each word first becomes a
//! learned D-dimensional embedding and the sentence is their average.

use super::seeded_linear;
use crate::rng::Rng;
use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::relu;

#[derive(Config, Debug)]
pub struct TextClassifierConfig {
    pub vocab: usize,
    pub hidden: usize,
    pub classes: usize,
    pub embed_dims: Option<usize>,
    #[config(default = 0)]
    pub seed: u64,
}

#[derive(Module, Debug)]
pub struct TextClassifier {
    /// [V, D] word embeddings, when the input is averaged embeddings.
    pub embed: Option<Param<Tensor<2>>>,
    pub fc1: Linear,
    pub fc2: Linear,
}

impl TextClassifierConfig {
    pub fn init(&self, device: &Device) -> TextClassifier {
        let mut rng = Rng::new(self.seed);
        let embed = self.embed_dims.map(|d| {
            Param::from_tensor(Tensor::from_data(TensorData::new(rng.normal_vec(self.vocab * d, 0.1), [self.vocab, d]), device))
        });
        let width = self.embed_dims.unwrap_or(self.vocab);
        TextClassifier {
            embed,
            fc1: seeded_linear(&mut rng, width, self.hidden, true, device),
            fc2: seeded_linear(&mut rng, self.hidden, self.classes, true, device),
        }
    }
}

impl TextClassifier {
    /// `bags` [B, V]: how often each word occurs in each text. Returns logits [B, classes].
    pub fn forward(&self, bags: Tensor<2>) -> Tensor<2> {
        let x = match &self.embed {
            Some(e) => {
                let lengths = bags.clone().sum_dim(1).clamp_min(1.0); // [B, 1]
                (bags / lengths).matmul(e.val()) // [B, D]: the average of the words' embeddings
            }
            None => bags.clamp_max(1.0), // [B, V]: which words occur (one-hot, summed)
        };
        let h = relu(self.fc1.forward(x)); // [B, H]
        self.fc2.forward(h) // [B, classes]
    }

    pub fn param_count(&self) -> usize {
        self.num_params()
    }
}
