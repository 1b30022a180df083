//! The GPT of weeks 3 and 4 learns: GPT-S on a small fixed corpus, CPU backend, seeded.

use burn::prelude::*;
use reasonlab::labs::gpt_train::GptTrainer;
use reasonlab::models::gpt::GptConfig;
use reasonlab::rng::Rng;

const CORPUS: &str = "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\n\
Rough winds do shake the darling buds of May,\nAnd summer's lease hath all too short a date;\n\
Sometime too hot the eye of heaven shines,\nAnd often is his gold complexion dimm'd;\n\
And every fair from fair sometime declines,\nBy chance or nature's changing course untrimm'd;\n";

#[test]
fn gpt_s_loss_falls_on_a_fixed_corpus() {
    let device = reasonlab::backend::cpu().autodiff();
    // Characters → ids in a vocabulary of their own (fewer than GPT-S's 65).
    let mut vocab: Vec<char> = CORPUS.chars().collect();
    vocab.sort();
    vocab.dedup();
    assert!(vocab.len() <= 65);
    let ids: Vec<i64> = CORPUS.chars().map(|c| vocab.iter().position(|v| *v == c).unwrap() as i64).collect();
    let config = GptConfig::gpt_s().with_seed(1);
    let (b, t) = (16, config.block_size);
    let mut rng = Rng::new(1);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for _ in 0..b {
        let start = rng.below((ids.len() - t - 1) as u64) as usize;
        xs.extend_from_slice(&ids[start..start + t]);
        ys.extend_from_slice(&ids[start + 1..start + t + 1]);
    }
    let x = Tensor::<2, Int>::from_data(TensorData::new(xs, [b, t]), &device);
    let y = Tensor::<2, Int>::from_data(TensorData::new(ys, [b, t]), &device);
    let mut trainer = GptTrainer::new(config, x, y);
    let losses: Vec<f32> = (0..150).map(|_| trainer.step().into_scalar()).collect();
    let (first, last) = (losses[0], *losses.last().unwrap());
    eprintln!("GPT-S loss: {first:.3} → {last:.3} in {} steps", losses.len());
    assert!((first - (65f32).ln()).abs() < 0.3, "starts near ln(65) = 4.17, at {first}");
    assert!(last < 1.5, "GPT-S must reach a loss below 1.5 in 150 steps, got {last}");
}
