//! Day 1 learns what it should, on the CPU backend, seeded.

use reasonlab::labs;
use reasonlab::settings::Params;
use burn::prelude::Device;

fn params(pairs: &[(&str, &str)]) -> Params {
    let schema = labs::schema("perceptron");
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    p
}

fn cpu() -> Device {
    reasonlab::backend::cpu()
}

/// Trains to the end and returns (final accuracy, accuracy at every step).
fn train(pairs: &[(&str, &str)]) -> (f64, Vec<f32>) {
    let mut lab = labs::start("perceptron", &params(pairs), &cpu(), &Default::default()).unwrap();
    let mut curve = Vec::new();
    let mut last = None;
    while !lab.is_done() {
        for _ in 0..50 {
            if !lab.is_done() {
                lab.step();
            }
        }
        let snap = pollster::block_on(lab.snapshot()).unwrap();
        curve.extend(snap.series.iter().find(|s| s.name == "accuracy").unwrap().points.iter().map(|p| p.1));
        last = Some(snap);
    }
    (last.unwrap().metric("accuracy").unwrap(), curve)
}

#[test]
fn perceptron_learns_and_and_or() {
    for gate in ["and", "or"] {
        for seed in ["1", "2", "3"] {
            let (acc, _) = train(&[("gate", gate), ("model", "perceptron"), ("steps", "100"), ("seed", seed)]);
            assert_eq!(acc, 1.0, "{gate}, seed {seed}");
        }
    }
}

#[test]
fn perceptron_never_solves_xor_in_1000_epochs() {
    for seed in ["1", "2"] {
        let (acc, curve) = train(&[("gate", "xor"), ("model", "perceptron"), ("steps", "1000"), ("seed", seed)]);
        assert!(acc < 1.0, "seed {seed}");
        assert_eq!(curve.len(), 1000);
        assert!(curve.iter().all(|a| *a <= 0.75), "a line can get at most 3 of 4 XOR points");
    }
}

#[test]
fn mlp_solves_xor() {
    // The default preset: within 100 steps.
    let (acc, curve) = train(&[("gate", "xor"), ("model", "mlp"), ("steps", "100"), ("seed", "1")]);
    assert_eq!(acc, 1.0);
    assert!(curve[0] < 1.0, "it starts out wrong, so it really learned");
    // The CLI run: 2000 steps, and other seeds.
    for seed in ["1", "2", "3", "4"] {
        let (acc, _) = train(&[("gate", "xor"), ("model", "mlp"), ("steps", "2000"), ("seed", seed)]);
        assert_eq!(acc, 1.0, "seed {seed}");
    }
}

#[test]
fn same_seed_same_curve_step_for_step() {
    let run = || {
        let mut lab = labs::start("perceptron", &params(&[("gate", "xor"), ("model", "mlp"), ("steps", "60")]), &cpu(), &Default::default()).unwrap();
        let mut losses = Vec::new();
        // Different chunkings must not change the curve: 7 steps, then the rest.
        for chunk in [7, 53] {
            for _ in 0..chunk {
                lab.step();
            }
            let snap = pollster::block_on(lab.snapshot()).unwrap();
            losses.extend(snap.series[0].points.clone());
        }
        losses
    };
    let a = run();
    assert_eq!(a.len(), 60);
    assert_eq!(a, run());
}

#[test]
fn a_huge_learning_rate_is_survived() {
    // Adam's steps are bounded by lr and the logistic loss is computed stably, so
    // even lr = 1e6 keeps finite numbers; the lab must simply keep reporting them.
    let (acc, curve) = train(&[("gate", "xor"), ("model", "mlp"), ("lr", "1000000"), ("steps", "200")]);
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(curve.len(), 200);
}

#[test]
fn logistic_loss_is_stable_and_right() {
    use burn::prelude::Tensor;
    let device = cpu();
    let z = Tensor::<2>::from_floats([[0.0], [1000.0], [-1000.0]], &device);
    let y = Tensor::<2>::from_floats([[1.0], [1.0], [1.0]], &device);
    let loss: f32 = reasonlab::labs::perceptron::logistic_loss(z, y).into_scalar();
    // ln 2 for z = 0, ~0 for z = 1000, 1000 for z = -1000: mean (0.693 + 0 + 1000) / 3.
    assert!((loss - (std::f32::consts::LN_2 + 1000.0) / 3.0).abs() < 1e-2, "{loss}");
}
