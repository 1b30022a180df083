//! Day 3: the hand-written gradients agree with autodiff and finite differences,
//! and the network learns the spirals with them.

use reasonlab::labs::backprop_train::BackpropLab;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

fn params(pairs: &[(&str, &str)]) -> Params {
    let schema = labs::schema("backprop");
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    p
}

fn run(pairs: &[(&str, &str)], every: usize) -> Vec<(f64, f64, f64, f64)> {
    let mut lab = BackpropLab::new(&params(pairs), &reasonlab::backend::cpu()).unwrap();
    let mut out = Vec::new();
    loop {
        let (snap, view) = pollster::block_on(lab.read()).unwrap();
        let m = |n: &str| snap.metric(n).unwrap_or(f64::NAN);
        out.push((m("grad_check_max_rel_err"), m("accuracy"), view.vs_autodiff, view.vs_numeric));
        if lab.is_done() {
            return out;
        }
        for _ in 0..every {
            if !lab.is_done() {
                Training::step(&mut lab);
            }
        }
    }
}

#[test]
fn the_gradient_check_passes_all_along_and_the_spirals_are_learned() {
    let trace = run(&[("seed", "1")], 500);
    for (worst, _, vs_autodiff, vs_numeric) in &trace {
        assert!(*worst < 1e-3, "max relative error {worst}");
        assert_eq!(*worst, vs_autodiff.max(*vs_numeric));
        assert!(*vs_numeric > 0.0, "finite differences are a real, independent estimate");
    }
    let accuracy = trace.last().unwrap().1;
    assert!(accuracy >= 0.9, "batch accuracy on the spirals {accuracy}");
}

#[test]
fn xor_blobs_are_learned_and_checked() {
    let trace = run(&[("data", "xor"), ("hidden", "4"), ("lr", "0.5"), ("batch", "20"), ("steps", "500"), ("seed", "2")], 100);
    assert!(trace.iter().all(|t| t.0 < 1e-3));
    assert!(trace.last().unwrap().1 >= 0.9);
}
