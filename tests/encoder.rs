//! Day 16: an encoder (no causal mask) fills in hidden characters of held-out
//! text better than its causal twin, which sees the left side only. CPU
//! backend, seeded, short.

use reasonlab::labs;
use reasonlab::settings::Params;

#[test]
fn seeing_both_sides_fills_more_hidden_characters() {
    let schema = labs::schema("encoder");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("steps", "600"), ("seed", "7")] {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start("encoder", &p, &reasonlab::backend::cpu(), &Default::default()).unwrap();
    lab.step();
    let first = pollster::block_on(lab.snapshot()).unwrap();
    while !lab.is_done() {
        for _ in 0..100 {
            lab.step();
        }
    }
    let last = pollster::block_on(lab.snapshot()).unwrap();
    let m = |key: &str| last.metric(key).unwrap_or_else(|| panic!("no metric {key}"));
    let (both, left) = (m("accuracy"), m("causal_accuracy"));
    eprintln!("after {} steps: accuracy {both:.3} bidirectional, {left:.3} causal; loss {:.3} → {:.3}", last.step, first.metric("loss").unwrap(), m("loss"));
    for f in &last.figures {
        eprintln!("{}: {}", f.name, f.caption);
    }
    assert!(m("loss") < first.metric("loss").unwrap() - 1.0, "the loss must fall");
    assert!(both > 0.5, "the encoder fills most hidden characters: {both}");
    assert!(both > left + 0.05, "both sides must beat the left side alone: {both} vs {left}");
}
