//! Day 28: chains that call a calculator. A short seeded run learns to write
//! the call for 4-digit × 4-digit products, which the same model, with the
//! calculator switched off, cannot work out.

use reasonlab::data::files::DataFiles;
use reasonlab::figure::Plot;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

fn start(settings: &[(&str, &str)]) -> Result<Box<dyn Training>, String> {
    let schema = labs::schema("tools");
    let mut p = Params::defaults(&schema);
    for (k, v) in settings {
        p.set(&schema, k, v).unwrap();
    }
    labs::start("tools", &p, &reasonlab::backend::cpu(), &DataFiles::default())
}

#[test]
fn the_model_learns_to_call_the_calculator() {
    let started = std::time::Instant::now();
    let mut lab = start(&[("task", "mul"), ("level", "4"), ("steps", "500"), ("eval_every", "500"), ("eval_n", "100"), ("layers", "2"), ("width", "64"), ("seed", "1")]).unwrap();
    let mut figures = Vec::new();
    while !lab.is_done() {
        for _ in 0..100 {
            lab.step();
        }
        // Figures come with the snapshot after an evaluation, and only then.
        let snapshot = pollster::block_on(lab.snapshot()).unwrap();
        if !snapshot.figures.is_empty() {
            figures = snapshot.figures;
        }
    }
    let last = pollster::block_on(lab.snapshot()).unwrap();
    let metric = |m: &str| last.metric(m).unwrap_or_else(|| panic!("no {m}: {:?}", last.metrics));
    eprintln!("tools: {:?} in {:.1} s; {}", last.metrics, started.elapsed().as_secs_f64(), last.note);
    assert!(metric("accuracy") >= 0.9, "with the calculator: {}", metric("accuracy"));
    // The lab's claim, as a difference: the results of calls are never trained,
    // so the model without its calculator has only its own digits to write.
    assert!(metric("accuracy") >= metric("no_tool_accuracy") + 0.5, "with it {} against without it {}", metric("accuracy"), metric("no_tool_accuracy"));
    // Both over the same 100 held-out products, each with its interval.
    assert_eq!((metric("accuracy_n"), metric("no_tool_accuracy_n")), (100.0, 100.0));
    assert!(metric("calls_parsed") >= 0.995, "calls that parse: {}", metric("calls_parsed"));
    // The chain view underlines the call and its result.
    let written = figures.iter().find(|f| f.name == "written").expect("the written problems are drawn");
    let Plot::Tokens(tokens) = &written.plot else { panic!("written is a token figure") };
    let line = &tokens.lines[0];
    let text: String = line.tokens.concat();
    assert!(text.contains("<calc>") && !line.accents.is_empty(), "{text}");
    assert!(line.accents.iter().all(|&i| i < line.tokens.len()));
    assert!(!tokens.accent_desc.is_empty());
}

#[test]
fn a_task_without_arithmetic_is_not_offered() {
    let schema = labs::schema("tools");
    let mut p = Params::defaults(&schema);
    let err = p.set(&schema, "task", "logic").expect_err("logic has nothing to compute");
    assert!(err.contains("mul"), "the message lists the tasks: {err}");
}
