//! Day 17: with the causal mask a later edit moves no earlier logit, exactly;
//! without it the training loss looks better, and the written text is
//! garbage. CPU backend, seeded, short.

use reasonlab::labs;
use reasonlab::settings::Params;

#[test]
fn the_mask_keeps_causality_and_its_absence_is_cheating() {
    let schema = labs::schema("decoder");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("steps", "300"), ("seed", "5"), ("text", "the horse runs in the field"), ("edited", "the horse runs in the fiend")] {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start("decoder", &p, &reasonlab::backend::cpu(), &Default::default()).unwrap();
    lab.step();
    let first = pollster::block_on(lab.snapshot()).unwrap();
    while !lab.is_done() {
        for _ in 0..100 {
            lab.step();
        }
    }
    let last = pollster::block_on(lab.snapshot()).unwrap();
    let m = |key: &str| last.metric(key).unwrap_or_else(|| panic!("no metric {key}"));
    eprintln!("loss {:.3} → {:.3}; unmasked {:.3}; max change before the edit {} / {:.3}; real words {:.2} / {:.2}", first.metric("loss").unwrap(), m("loss"), m("unmasked_loss"), m("causal_max_change"), m("unmasked_max_change"), m("sample_real_words"), m("unmasked_sample_real_words"));
    for f in &last.figures {
        eprintln!("{}: {}", f.name, f.caption);
    }
    assert!(m("loss") < first.metric("loss").unwrap() - 1.5, "the decoder learns");
    assert!(m("unmasked_loss") < 0.5 * m("loss"), "without the mask the loss looks far better");
    assert_eq!(m("causal_max_change"), 0.0, "no earlier logit moves, exactly");
    assert!(m("unmasked_max_change") > 0.1);
    assert!(m("sample_real_words") > 0.6, "the decoder writes words");
    assert!(m("unmasked_sample_real_words") < m("sample_real_words") - 0.3, "the cheat cannot write");
}
