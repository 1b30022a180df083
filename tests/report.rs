//! Day 30: the report from kept models. Their files carry the curves their
//! runs drew; the report draws them, scores each model on its own task, sets
//! a tuned model against the one it started from, and names a model the link
//! asks for that did not come. Its statements carry the numbers of its tables.

use reasonlab::data::files::{other_model, DataFiles, MODEL};
use reasonlab::event::Snapshot;
use reasonlab::figure::Plot;
use reasonlab::labs;
use reasonlab::models::checkpoint;
use reasonlab::settings::Params;

fn train(lab: &str, settings: &[(&str, &str)], files: &DataFiles) -> Vec<u8> {
    let schema = labs::schema(lab);
    let mut p = Params::defaults(&schema);
    for (k, v) in settings {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start(lab, &p, &reasonlab::backend::cpu(), files).unwrap();
    while !lab.is_done() {
        lab.step();
        pollster::block_on(lab.snapshot()).unwrap();
    }
    pollster::block_on(lab.save()).unwrap()
}

/// 2-digit sums, 2,000 to train on: 300 Muon steps learn them (0.98 held out).
fn small(steps: &str) -> Vec<(&'static str, &str)> {
    vec![("task", "add"), ("level", "2"), ("train_n", "2000"), ("eval_n", "10"), ("layers", "1"), ("width", "32"), ("optimizer", "muon"), ("lr", "0.02"), ("steps", steps), ("eval_every", "100"), ("seed", "1")]
}

fn report(files: &DataFiles, models: &str) -> Snapshot {
    let schema = labs::schema("report");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("models", models), ("n", "40")] {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start("report", &p, &reasonlab::backend::cpu(), files).unwrap();
    let mut snap = pollster::block_on(lab.snapshot()).unwrap();
    while !lab.is_done() {
        lab.step();
        snap = pollster::block_on(lab.snapshot()).unwrap();
    }
    snap
}

fn table(snap: &Snapshot, name: &str) -> Vec<Vec<String>> {
    match &snap.figure(name).unwrap_or_else(|| panic!("no figure {name}")).plot {
        Plot::Table(t) => t.rows.clone(),
        _ => panic!("{name} is not a table"),
    }
}

#[test]
fn the_report_draws_scores_and_judges_the_kept_models() {
    let cot = train("cot", &small("300"), &DataFiles::default());
    let plain = train("gpt-mini", &small("1"), &DataFiles::default());
    // The run's curves travel in its file.
    let ck = checkpoint::decode(&cot).unwrap();
    let curve = &ck.meta["curve.train_loss"];
    assert!(curve.starts_with("1:") && curve.contains(",300:"), "{curve}");
    // A GRPO model's file as the ppo lab writes it, tuned from the CoT model
    // (its weights unchanged, so tuning changed nothing), its start named by hash.
    let mut meta = ck.meta.clone();
    meta.retain(|k, _| !k.starts_with("curve."));
    for (k, v) in [("lab", "ppo".to_string()), ("setting.method", "grpo".into()), ("setting.model", checkpoint::content_hash(&cot)), ("curve.reward", "1:0.2,3:0.5".into())] {
        meta.insert(k.to_string(), v);
    }
    let tuned = checkpoint::encode(&ck.config, &ck.vocab, &meta, &ck.values.concat()).unwrap();

    let mut files = DataFiles::default();
    files.insert(MODEL, cot.clone());
    files.insert(&other_model(0), plain.clone());
    files.insert(&other_model(1), tuned.clone());
    let snap = report(&files, "feedfacefeedface");
    eprintln!("{:?}\n{}", snap.metrics, snap.note);
    let m = |k: &str| snap.metric(k).unwrap_or_else(|| panic!("no {k}: {:?}", snap.metrics));
    assert_eq!((m("models"), m("missing")), (3.0, 1.0));
    assert_eq!(m("answered"), 120.0, "three models, 40 sums of 2 digits each");
    assert_eq!(m("in_training"), 0.0, "none of them a question any model trained on");
    assert!(m("accuracy_a") >= m("accuracy_b") + 0.3, "the trained CoT model beats an untrained plain one: {:?}", snap.metrics);

    let findings: Vec<String> = table(&snap, "findings").into_iter().map(|r| r[0].clone()).collect();
    let all = findings.join("\n");
    eprintln!("{all}");
    assert!(findings[0].contains("feedfacefeedface") && findings[0].starts_with("Missing"), "{all}");
    assert!(snap.note.contains("Missing here: feedfacefeedface"));
    // The chain-of-thought statement carries the table's numbers.
    let summary = table(&snap, "summary");
    assert_eq!(summary.len(), 1, "one set: add 2");
    let share = |cell: &str| cell.split(' ').next().unwrap().parse::<f64>().unwrap();
    let (cot_acc, plain_acc) = (share(&summary[0][1]), share(&summary[0][2]));
    assert!(all.contains(&format!("gets {:.1} %; plain", 100.0 * cot_acc)) && all.contains(&format!("answers at once and gets {:.1} %", 100.0 * plain_acc)), "{all}");
    assert!(all.contains("Worked: chain of thought.") && all.contains("n = 40;"), "{all}");
    // The tuned model is set against its start, found by the hash in its settings.
    let (c, g) = (&checkpoint::content_hash(&cot)[..6], &checkpoint::content_hash(&tuned)[..6]);
    let same = format!("{:.1} %", 100.0 * cot_acc);
    assert!(all.contains(&format!("No clear difference (n = 40): GRPO ({g}) against CoT ({c}), the model it was tuned from, on add 2: {same} → {same}, +0.0 points (95 % CI ")), "{all}");
    assert!(all.contains("n = 40; fixed 0, broke 0)."), "{all}");
    assert!(all.contains(&format!("CoT ({c}) (add 2): its training loss fell from")), "{all}");
    assert!(all.contains(&format!("GRPO ({g}) (add 2): its mean reward rose from 0.200 to 0.500 over tuning steps 1 to 3.")), "{all}");
    // Named by hash only: without its start, the report says which file is missing, and sets it against no other CoT model.
    let mut without = DataFiles::default();
    without.insert(MODEL, train("cot", &[small("5"), vec![("seed", "2")]].concat(), &DataFiles::default()));
    without.insert(&other_model(0), tuned.clone());
    let alone = report(&without, "");
    let all: String = table(&alone, "findings").into_iter().map(|r| r[0].clone()).collect::<Vec<_>>().join("\n");
    assert!(all.contains(&format!("The model it was tuned from ({}) is not in this report", checkpoint::content_hash(&cot))), "{all}");
    assert!(!all.contains("the model it was tuned from, on"), "{all}");

    let Plot::Lines(curves) = &snap.figure("curves").unwrap().plot else { panic!("lines") };
    assert_eq!(curves.lines.len(), 2, "the CoT and plain runs kept a loss curve; the tuning run a reward");
    assert!(curves.lines[0].points.len() > 50 && curves.lines[0].points.last().unwrap().0 == 300.0);
    let chains = table(&snap, "chains");
    assert_eq!(chains.len(), 3, "a chain per model");
    assert!(chains[0][2].contains('✓') || chains[0][2].contains('✗'), "the CoT chain's steps are checked: {:?}", chains[0]);
    let Plot::Heatmaps(att) = &snap.figure("attention").unwrap().plot else { panic!("heatmaps") };
    assert_eq!(att.panels.len(), ck.config.n_head, "each head of the first model's last block");
    assert!(att.panels[0].rows.iter().all(|r| (r.iter().sum::<f32>() - 1.0).abs() < 1e-3), "attention rows are distributions");
}

#[test]
fn a_report_without_its_models_says_which_are_missing() {
    let snap = report(&DataFiles::default(), "aaaa, bbbb,aaaa");
    assert_eq!(snap.metric("missing"), Some(2.0));
    let findings = table(&snap, "findings");
    assert_eq!(findings.len(), 3, "{findings:?}");
    assert!(findings[0][0].contains("aaaa") && findings[1][0].contains("bbbb"));
    assert!(snap.note.contains("Missing here: aaaa, bbbb"));
}
