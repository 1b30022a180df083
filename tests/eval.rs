//! Day 25: two kept models scored side by side on held-out problems (one
//! trained, one not): the table has both, the diffs list what one gets and
//! the other misses; the external sets are scored too, with no threshold.

use reasonlab::data::files::{other_model, DataFiles, MODEL, MODEL_B};
use reasonlab::figure::Plot;
use reasonlab::labs;
use reasonlab::settings::Params;

fn gpt_mini(steps: &str) -> Vec<u8> {
    let schema = labs::schema("gpt-mini");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("task", "add"), ("level", "1"), ("train_n", "100"), ("eval_n", "10"), ("layers", "1"), ("width", "32"), ("steps", steps), ("eval_every", "1000"), ("seed", "1")] {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start("gpt-mini", &p, &reasonlab::backend::cpu(), &DataFiles::default()).unwrap();
    while !lab.is_done() {
        lab.step();
    }
    pollster::block_on(lab.snapshot()).unwrap();
    pollster::block_on(lab.save()).unwrap()
}

fn run(set: &str, n: &str, files: &DataFiles) -> reasonlab::event::Snapshot {
    let schema = labs::schema("eval");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("set", set), ("task", "add"), ("level", "1"), ("n", n)] {
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
    files.insert(MODEL, gpt_mini("300"));
    files.insert(MODEL_B, gpt_mini("1"));
    let snap = run("generated", "50", &files);
    let (a, b) = (snap.metric("accuracy").unwrap(), snap.metric("accuracy_b").unwrap());
    eprintln!("trained {a:.3}, untrained {b:.3}; {}", snap.note);
    assert_eq!(snap.metric("scored"), Some(50.0));
    assert!(a > 0.8 && b < 0.3, "trained {a}, untrained {b}");
    let Plot::Table(summary) = &snap.figure("summary").unwrap().plot else { panic!("a table") };
    assert_eq!(summary.header.len(), 3, "the problems and a column per model");
    assert!(summary.header[1].starts_with("gpt-mini · add 1 · 1 × 32 · step 300"), "{:?}", summary.header);
    assert_eq!(summary.rows[1][0], "add 1");
    let Plot::Table(diffs) = &snap.figure("diffs").unwrap().plot else { panic!("a table") };
    assert!(!diffs.rows.is_empty());
    assert!(diffs.rows.iter().all(|r| r[2].starts_with('✓') != r[3].starts_with('✓')), "each listed question splits them");

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
    let (untrained, trained) = (gpt_mini("1"), gpt_mini("300"));
    let mut files = DataFiles::default();
    files.insert(MODEL, untrained.clone());
    files.insert(&other_model(0), trained);
    files.insert(&other_model(1), untrained);
    let schema = labs::schema("compare");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("task", "add"), ("from", "1"), ("to", "2"), ("n", "30")] {
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
    assert_eq!(summary.rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["all", "add 1", "add 2"]);
    let Plot::Table(changes) = &snap.figure("changes").unwrap().plot else { panic!("a table") };
    assert_eq!(changes.rows.len(), 2, "a line per model after the first");
    assert_eq!(changes.rows[0][1], format!("{}", m("fixed_b")));
    let Plot::Table(diffs) = &snap.figure("diffs").unwrap().plot else { panic!("a table") };
    assert!(!diffs.rows.is_empty() && diffs.rows.iter().all(|r| r.len() == 5), "question, expected and three outputs");
    assert!(diffs.rows.iter().all(|r| r[2].starts_with('✓') != r[3].starts_with('✓') || r[3].starts_with('✓') != r[4].starts_with('✓')), "each listed question splits them");
}
