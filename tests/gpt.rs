//! Day 18: the tiny GPT learns Shakespeare in a short seeded run on the CPU:
//! the loss over the whole held-out tenth falls well below a bigram's, and the
//! page gets its race against nanoGPT and a sample from the prompt.

use reasonlab::data::files::DataFiles;
use reasonlab::figure::Plot;
use reasonlab::labs;
use reasonlab::settings::Params;

#[test]
fn a_short_run_learns_shakespeare_and_writes_from_the_prompt() {
    let schema = labs::schema("gpt");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("layers", "2"), ("width", "64"), ("context", "32"), ("batch", "16"), ("steps", "300"), ("warmup", "30"), ("eval_every", "100"), ("seed", "11")] {
        p.set(&schema, k, v).unwrap();
    }
    let names = (labs::spec("gpt").unwrap().data)(&p).unwrap();
    let files = DataFiles::read_dir(&DataFiles::default_dir(), names).unwrap();
    let mut lab = labs::start("gpt", &p, &reasonlab::backend::cpu(), &files).unwrap();
    let first = pollster::block_on(lab.snapshot()).unwrap();
    let start_val = first.metric("val_loss").expect("a first estimate before training");
    while !lab.is_done() {
        for _ in 0..50 {
            lab.step();
        }
        pollster::block_on(lab.snapshot()).unwrap();
    }
    let last = pollster::block_on(lab.snapshot()).unwrap();
    let m = |key: &str| last.metric(key).unwrap_or_else(|| panic!("no metric {key}"));
    eprintln!("val {start_val:.3} → {:.3} (whole held-out text) in {:.1} s, {:.0} tokens/s; {}", m("val_loss_full"), m("train_seconds"), m("tokens_per_sec"), last.note);
    for f in &last.figures {
        eprintln!("{}: {}", f.name, f.caption);
    }
    assert!(start_val > 3.5, "an untrained model is near a uniform guess: {start_val}");
    // A bigram model of these plays gets about 2.5 nats per character.
    assert!(m("val_loss_full") < 2.45, "{}", m("val_loss_full"));
    assert!(m("train_seconds") > 0.0 && m("sample_tokens_per_sec") > 0.0);
    let sample = last.figures.iter().find(|f| f.name == "sample").expect("a sample");
    let Plot::Tokens(t) = &sample.plot else { panic!("the sample is tokens") };
    assert_eq!(t.lines[0].tokens.len(), 160);
    assert!(t.lines[0].label.contains("ROMEO:"));
    let race = last.figures.iter().find(|f| f.name == "race").unwrap();
    assert!(race.caption.contains("on the whole held-out text"), "{}", race.caption);
}

/// A checkpoint of a run, loaded with the resume marker, continues at its
/// step and its loss (not from an untrained model's), to the same last step.
#[test]
fn a_checkpoint_resumes_the_run_where_it_was() {
    use reasonlab::data::files::{MODEL, RESUME};
    let schema = labs::schema("gpt");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("layers", "1"), ("width", "32"), ("context", "16"), ("batch", "8"), ("steps", "200"), ("warmup", "10"), ("eval_every", "1000"), ("seed", "5")] {
        p.set(&schema, k, v).unwrap();
    }
    let names = (labs::spec("gpt").unwrap().data)(&p).unwrap();
    let mut files = DataFiles::read_dir(&DataFiles::default_dir(), names).unwrap();
    let device = reasonlab::backend::cpu();
    let mut lab = labs::start("gpt", &p, &device, &files).unwrap();
    for _ in 0..120 {
        lab.step();
    }
    let before = pollster::block_on(lab.snapshot()).unwrap();
    let checkpoint = pollster::block_on(lab.save()).unwrap();
    files.insert(MODEL, checkpoint);
    files.insert(RESUME, Vec::new());
    let mut resumed = labs::start("gpt", &p, &device, &files).unwrap();
    assert_eq!(resumed.steps_done(), 120, "the run goes on at its step");
    let first = pollster::block_on(resumed.snapshot()).unwrap();
    assert!(first.note.contains("Resumed from this run's checkpoint at step 120"), "{}", first.note);
    assert!(first.metric("train_seconds").unwrap() >= before.metric("train_seconds").unwrap(), "its clock goes on too");
    resumed.step();
    let next = pollster::block_on(resumed.snapshot()).unwrap();
    let curve = next.series.iter().find(|s| s.name == "train_loss").unwrap();
    assert_eq!(curve.points[0].0, 121, "the curve continues at step 121");
    let (was, now) = (before.metric("train_loss").unwrap(), curve.points[0].1 as f64);
    assert!(now < was + 0.4 && now < 3.5, "the loss goes on from {was:.3}, not from scratch: {now:.3}");
    while !resumed.is_done() {
        resumed.step();
    }
    assert_eq!(resumed.steps_done(), 200);
    // Without the marker the file is a start, not a resume.
    files.0.remove(RESUME);
    assert_eq!(labs::start("gpt", &p, &device, &files).unwrap().steps_done(), 0);
}

/// The longer run's optimizer: Muon on the blocks' matrices gets further than
/// AdamW in the same steps from the same start (the race's reason to use it).
#[test]
fn muon_gets_further_than_adamw_in_the_same_steps() {
    let schema = labs::schema("gpt");
    let run = |optimizer: &str| {
        let mut p = Params::defaults(&schema);
        for (k, v) in [("layers", "2"), ("width", "64"), ("context", "64"), ("batch", "8"), ("steps", "150"), ("warmup", "20"), ("lr", "0.01"), ("eval_every", "1000"), ("seed", "3"), ("optimizer", optimizer)] {
            p.set(&schema, k, v).unwrap();
        }
        let names = (labs::spec("gpt").unwrap().data)(&p).unwrap();
        let files = DataFiles::read_dir(&DataFiles::default_dir(), names).unwrap();
        let mut lab = labs::start("gpt", &p, &reasonlab::backend::cpu(), &files).unwrap();
        while !lab.is_done() {
            lab.step();
        }
        pollster::block_on(lab.snapshot()).unwrap().metric("val_loss_full").unwrap()
    };
    let (adamw, muon) = (run("adamw"), run("muon"));
    eprintln!("after 150 steps: AdamW {adamw:.3}, Muon {muon:.3}");
    assert!(muon < adamw - 0.1, "Muon {muon:.3}, AdamW {adamw:.3}");
}
