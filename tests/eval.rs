//! Day 25: two kept models scored side by side on held-out problems (one
//! trained, one not) that neither trained on: the table has both with their
//! intervals, the diffs list what one gets and the other misses, and the
//! paired test says which is better; the external sets are scored too, with
//! no threshold.

use reasonlab::data::files::{other_model, DataFiles, MODEL, MODEL_B};
use reasonlab::figure::Plot;
use reasonlab::labs;
use reasonlab::settings::Params;

/// A CoT model of 2-digit sums: 300 Muon steps learn them (0.98 on held-out
/// sums, 6 s); 1 step learns nothing. Its file records its 2,000 training
/// questions, which no set here may hold.
fn cot(steps: &str) -> Vec<u8> {
    let schema = labs::schema("cot");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("task", "add"), ("level", "2"), ("train_n", "2000"), ("eval_n", "10"), ("layers", "1"), ("width", "32"), ("optimizer", "muon"), ("lr", "0.02"), ("steps", steps), ("eval_every", "1000"), ("seed", "1")] {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start("cot", &p, &reasonlab::backend::cpu(), &DataFiles::default()).unwrap();
    while !lab.is_done() {
        lab.step();
    }
    pollster::block_on(lab.snapshot()).unwrap();
    pollster::block_on(lab.save()).unwrap()
}

fn run(set: &str, n: &str, files: &DataFiles) -> reasonlab::event::Snapshot {
    let schema = labs::schema("eval");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("set", set), ("task", "add"), ("level", "2"), ("n", n)] {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start("eval", &p, &reasonlab::backend::cpu(), files).unwrap();
    while !lab.is_done() {
        lab.step();
        pollster::block_on(lab.snapshot()).unwrap();
    }
    pollster::block_on(lab.snapshot()).unwrap()
}

#[test]
fn two_models_side_by_side_with_the_questions_that_split_them() {
    let mut files = DataFiles::default();
    files.insert(MODEL, cot("300"));
    files.insert(MODEL_B, cot("1"));
    let snap = run("generated", "50", &files);
    let (a, b) = (snap.metric("accuracy").unwrap(), snap.metric("accuracy_b").unwrap());
    eprintln!("trained {a:.3}, untrained {b:.3}; {:?}; {}", snap.metrics, snap.note);
    assert_eq!(snap.metric("scored"), Some(50.0));
    assert!(a > 0.8 && b < 0.3, "trained {a}, untrained {b}");
    // Held out for real: none of the 50 is a training question of either model, nor a swapped twin.
    assert_eq!(snap.metric("in_training"), Some(0.0));
    assert!(snap.note.contains("None of them is a question any of these models trained on"), "{}", snap.note);
    // Each accuracy with its interval and n; the paired change with its own.
    let m = |k: &str| snap.metric(k).unwrap_or_else(|| panic!("no {k}"));
    assert!(m("accuracy_lo") < a && a <= m("accuracy_hi") && m("accuracy_n") == 50.0);
    assert!(m("change_b") < 0.0 && m("change_b_hi") < 0.0, "the untrained model is clearly worse: {:?}", snap.metrics);
    assert!(snap.note.contains("is worse than") && snap.note.contains("McNemar p = 0.000"), "{}", snap.note);
    let Plot::Table(summary) = &snap.figure("summary").unwrap().plot else { panic!("a table") };
    assert_eq!(summary.header.len(), 3, "the problems and a column per model");
    assert!(summary.header[1].starts_with("cot · add 2 · 1 × 32 · step 300"), "{:?}", summary.header);
    assert_eq!(summary.rows[1][0], "add 2");
    assert!(summary.rows[0][1].contains("; 95 % CI "), "{:?}", summary.rows[0]);
    let Plot::Table(diffs) = &snap.figure("diffs").unwrap().plot else { panic!("a table") };
    assert!(!diffs.rows.is_empty());
    assert!(diffs.rows.iter().all(|r| r[2].starts_with('✓') != r[3].starts_with('✓')), "each listed question splits them");
    // A model that trained on every 1-digit sum leaves none to score, and the lab says so.
    let schema = labs::schema("cot");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("level", "1"), ("train_n", "100"), ("steps", "1"), ("eval_n", "10"), ("layers", "1"), ("width", "32")] {
        p.set(&schema, k, v).unwrap();
    }
    let lab = labs::start("cot", &p, &reasonlab::backend::cpu(), &DataFiles::default()).unwrap();
    let mut trained_all = DataFiles::default();
    trained_all.insert(MODEL, pollster::block_on(lab.save()).unwrap());
    let schema = labs::schema("eval");
    let mut p = Params::defaults(&schema);
    p.set(&schema, "level", "1").unwrap();
    let err = labs::start("eval", &p, &reasonlab::backend::cpu(), &trained_all).err().expect("no problem left");
    assert!(err.contains("every one of this task and difficulty is a question a model here trained on"), "{err}");

    // The external sets: scored, whatever comes out.
    let mut one = DataFiles::read_dir(&DataFiles::default_dir(), &["eval/gsm_symbolic_2000.jsonl", "eval/pararule_plus.jsonl"]).unwrap();
    one.insert(MODEL, files.0[MODEL].clone());
    for set in ["gsm_symbolic", "pararule"] {
        let snap = run(set, "25", &one);
        let acc = snap.metric("accuracy").unwrap();
        eprintln!("{set}: {acc:.3}; {}", snap.note);
        assert!((0.0..=1.0).contains(&acc));
        assert!(snap.metric("scored").unwrap() > 0.0);
    }
}

#[test]
fn compare_sets_several_models_beside_the_first_with_what_each_fixed_and_broke() {
    // The first is untrained; b is trained (fixes many, breaks few); c is the
    // first itself (fixes and breaks nothing).
    let (untrained, trained) = (cot("1"), cot("300"));
    let mut files = DataFiles::default();
    files.insert(MODEL, untrained.clone());
    files.insert(&other_model(0), trained);
    files.insert(&other_model(1), untrained);
    let schema = labs::schema("compare");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("task", "add"), ("from", "2"), ("to", "3"), ("n", "30")] {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start("compare", &p, &reasonlab::backend::cpu(), &files).unwrap();
    let mut snap = pollster::block_on(lab.snapshot()).unwrap();
    while !lab.is_done() {
        lab.step();
        snap = pollster::block_on(lab.snapshot()).unwrap();
    }
    eprintln!("{:?}; {}", snap.metrics, snap.note);
    assert_eq!(snap.metric("scored"), Some(60.0), "30 at each of two difficulties");
    let m = |k: &str| snap.metric(k).unwrap_or_else(|| panic!("no {k}: {:?}", snap.metrics));
    assert!(m("accuracy_b") > m("accuracy") + 0.2, "{:?}", snap.metrics);
    assert!(m("fixed_b") >= 10.0 && m("fixed_b") > m("broke_b"), "{:?}", snap.metrics);
    assert_eq!((m("fixed_c"), m("broke_c")), (0.0, 0.0), "the same model changes nothing");
    assert_eq!(m("accuracy_c"), m("accuracy"));
    let Plot::Table(summary) = &snap.figure("summary").unwrap().plot else { panic!("a table") };
    assert_eq!(summary.header.len(), 4, "the problems and a column per model");
    assert_eq!(summary.rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["all", "add 2", "add 3"]);
    assert_eq!(m("in_training"), 0.0);
    let Plot::Table(changes) = &snap.figure("changes").unwrap().plot else { panic!("a table") };
    assert_eq!(changes.rows.len(), 2, "a line per model after the first");
    assert_eq!(changes.rows[0][1], format!("{}", m("fixed_b")));
    assert_eq!(changes.rows[0][4], "better", "{:?}", changes.rows);
    assert_eq!(changes.rows[1][4], "no clear difference (n = 60)", "the first model beside itself");
    let Plot::Table(diffs) = &snap.figure("diffs").unwrap().plot else { panic!("a table") };
    assert!(!diffs.rows.is_empty() && diffs.rows.iter().all(|r| r.len() == 5), "question, expected and three outputs");
    assert!(diffs.rows.iter().all(|r| r[2].starts_with('✓') != r[3].starts_with('✓') || r[3].starts_with('✓') != r[4].starts_with('✓')), "each listed question splits them");
}
