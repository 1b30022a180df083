//! Day 15: a stack of GPT blocks learns next characters with residual
//! connections; without them the gradient reaching the first block is orders
//! of magnitude smaller relative to the last. CPU backend, seeded, short.

use reasonlab::event::Snapshot;
use reasonlab::labs;
use reasonlab::settings::Params;

/// Trains the lab with these settings (small by default) and returns the first and last snapshots.
fn run(pairs: &[(&str, &str)]) -> (Snapshot, Snapshot) {
    let schema = labs::schema("block");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("layers", "4"), ("width", "16"), ("lr", "0.01"), ("steps", "60"), ("seed", "1")].iter().chain(pairs) {
        p.set(&schema, k, v).unwrap();
    }
    let files = reasonlab::data::files::DataFiles::default();
    let mut lab = labs::start("block", &p, &reasonlab::backend::cpu(), &files).unwrap();
    lab.step();
    let first = pollster::block_on(lab.snapshot()).unwrap();
    let mut last = None;
    while !lab.is_done() {
        for _ in 0..20 {
            lab.step();
        }
        last = Some(pollster::block_on(lab.snapshot()).unwrap());
    }
    (first, last.expect("more than one step"))
}

fn metric(snap: &Snapshot, key: &str) -> f64 {
    snap.metric(key).unwrap_or_else(|| panic!("no metric {key}"))
}

#[test]
fn with_residuals_the_loss_falls_and_the_gradient_reaches_the_first_block() {
    let (first, last) = run(&[("norm", "pre")]);
    let (start, end) = (metric(&first, "loss"), metric(&last, "loss"));
    let (with, without) = (metric(&last, "grad_ratio_first_last"), metric(&last, "grad_ratio_first_last_no_residual"));
    eprintln!("pre-LN: loss {start:.3} → {end:.3} (without residuals {:.3}); grad ratio first/last {with:.3e} with, {without:.3e} without", metric(&last, "loss_no_residual"));
    for f in &first.figures {
        eprintln!("{}: {}", f.name, f.caption);
    }
    eprintln!("note: {}", last.note);
    assert!(end < start - 0.5, "the loss must fall: {start} → {end}");
    assert!(with > 0.1, "with residuals the first block keeps a gradient like the last's: ratio {with}");
    assert!(with > 100.0 * without, "without residuals the first block's share must be far smaller: {with} vs {without}");
}

#[test]
fn post_ln_runs_and_shows_the_same_gap() {
    let (_, last) = run(&[("norm", "post"), ("steps", "21")]);
    let (with, without) = (metric(&last, "grad_ratio_first_last"), metric(&last, "grad_ratio_first_last_no_residual"));
    eprintln!("post-LN: grad ratio first/last {with:.3e} with, {without:.3e} without; {}", last.note);
    assert!(metric(&last, "loss").is_finite() && metric(&last, "loss_no_residual").is_finite());
    assert!(with > 100.0 * without, "post-LN: {with} vs {without}");
    assert!(last.note.contains("Post-LN"), "{}", last.note);
}
