//! The `reasonlab` binary: lists labs, runs one headless, rejects bad arguments.

use std::process::Command;

fn reasonlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reasonlab")).args(args).output().expect("the binary runs")
}

#[test]
fn list_prints_all_thirty_labs() {
    let out = reasonlab(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 30);
    assert!(text.lines().next().unwrap().contains("perceptron"));
    assert!(text.contains("report"));
}

#[test]
fn run_prints_json_lines_ending_with_the_final_metrics() {
    let out = reasonlab(&["run", "perceptron", "--gate", "xor", "--model", "mlp", "--seed", "1", "--steps", "2000", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert!(lines.len() > 2);
    let last = lines.last().unwrap();
    assert_eq!(last["step"], 2000);
    assert_eq!(last["accuracy"], 1.0);
    assert_eq!(last["done"], true);
    assert!(last["loss"].as_f64().unwrap() < 0.05);
    let steps: Vec<u64> = lines.iter().map(|l| l["step"].as_u64().unwrap()).collect();
    assert!(steps.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn bad_arguments_get_one_line_and_exit_code_2() {
    for args in [
        vec!["run", "nope"],
        vec!["run", "report", "--n", "0"],
        vec!["run", "gpt", "--text-file", "/nonexistent/text.txt"],
        vec!["run", "perceptron", "--text-file", "Cargo.toml"],
        vec!["run", "perceptron", "--gate", "nand"],
        vec!["run", "perceptron", "--lr", "NaN"],
        vec!["run", "perceptron", "--steps"],
        vec!["run", "perceptron", "--colour", "red"],
        vec!["run", "perceptron", "steps", "3"],
        vec!["frobnicate"],
        vec![],
    ] {
        let out = reasonlab(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn bench_gpt_prints_the_spec_figures() {
    let out = reasonlab(&["bench", "gpt", "--size", "s", "--budget", "5", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["params"], 112_512.0);
    assert!(last["step_ms"].as_f64().unwrap() > 0.0);
    assert!(last["first_step_ms"].as_f64().unwrap() > 0.0);
    assert!(last["tokens_per_sec"].as_f64().unwrap() > 0.0);
    assert!(last["load_before"].is_number());
    assert!(last["loss"].as_f64().unwrap() < 4.5);
}

/// The sampling benchmark is a hidden lab, so the page runs the same code:
/// one warm-up and five timed repetitions, and a batch writes more per second
/// than one row does (the reason to sample in batches).
#[test]
fn bench_sample_times_a_batch_against_one_row() {
    let rate = |batch: &str| {
        let out = reasonlab(&["bench", "sample", "--batch", batch, "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["lab"], "bench-sample");
        assert_eq!(last["step"], 6.0);
        last["tokens_per_sec"].as_f64().unwrap()
    };
    let (one, many) = (rate("1"), rate("16"));
    assert!(many > 1.3 * one, "batch 16: {many:.0} tokens/s, batch 1: {one:.0}");
}

#[test]
fn the_gpt_trains_on_any_text_file_with_a_held_out_tenth() {
    let path = std::env::temp_dir().join(format!("reasonlab-text-{}.txt", std::process::id()));
    let text = "the quick brown fox jumps over the lazy dog; é and ü are UTF-8 too.\n".repeat(60);
    std::fs::write(&path, &text).unwrap();
    let args = ["run", "gpt", "--text-file", path.to_str().unwrap(), "--layers", "1", "--width", "32", "--context", "16", "--batch", "8", "--steps", "30", "--eval_every", "10", "--prompt", "the", "--json"];
    let out = reasonlab(&args);
    std::fs::remove_file(&path).ok();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text_out = String::from_utf8(out.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(text_out.lines().last().unwrap()).unwrap();
    assert_eq!(last["settings"]["corpus"], "file");
    assert_eq!(last["done"], true);
    // The held-out tenth, measured whole at the end; below a uniform guess over the ~30 characters.
    let val = last["val_loss_full"].as_f64().expect("the whole held-out text is measured at the end");
    assert!(val < (30f64).ln(), "{val}");
    assert!(last["tokens_per_sec"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_gpt_saved_as_safetensors_loads_and_continues_where_it_stopped() {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("reasonlab-model-{}.safetensors", std::process::id()));
    let small = ["--layers", "1", "--width", "32", "--context", "16", "--batch", "8", "--eval_every", "20"];
    let last = |out: std::process::Output| -> serde_json::Value {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(String::from_utf8(out.stdout).unwrap().lines().last().unwrap()).unwrap()
    };
    let mut args = vec!["run", "gpt", "--steps", "60", "--json", "--save", path.to_str().unwrap()];
    args.extend(small);
    let trained = last(reasonlab(&args))["val_loss_full"].as_f64().unwrap();
    // One more step at a vanishing learning rate: the loss it starts from is the saved model's.
    let mut args = vec!["run", "gpt", "--steps", "1", "--warmup", "0", "--lr", "0.00001", "--json", "--load", path.to_str().unwrap()];
    args.extend(small);
    let loaded = last(reasonlab(&args))["val_loss_full"].as_f64().unwrap();
    // Another text (other characters) is refused with a message.
    let refused = reasonlab(&["run", "gpt", "--corpus", "moby", "--steps", "1", "--load", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert!((trained - loaded).abs() < 0.01, "saved at {trained}, loaded at {loaded}");
    assert!(trained < 3.5, "it learned something: {trained}");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("load it with the text it learned"));
}

#[test]
fn a_two_gigabyte_model_file_is_refused_before_it_is_read() {
    let path = std::env::temp_dir().join(format!("reasonlab-huge-{}.safetensors", std::process::id()));
    // Sparse: no disk is written.
    std::fs::File::create(&path).unwrap().set_len(2 << 30).unwrap();
    let out = reasonlab(&["run", "gpt", "--steps", "1", "--load", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is 2048 MB: not a model of this course"), "{err}");
}

#[test]
fn data_prints_a_seeded_problem_set_as_jsonl() {
    let out = reasonlab(&["data", "--task", "add", "--digits", "4", "--n", "50", "--seed", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let again = String::from_utf8(reasonlab(&["data", "--task", "add", "--digits", "4", "--n", "50", "--seed", "3"]).stdout).unwrap();
    assert_eq!(text, again, "the same seed, the same set");
    let (problems, bad) = reasonlab::data::reasoning::from_jsonl(&text);
    assert!(bad.is_empty());
    assert_eq!(problems.len(), 50);
    for p in &problems {
        let (a, b) = p.question.split_once('+').unwrap();
        assert_eq!(p.answer, (a.parse::<u64>().unwrap() + b.parse::<u64>().unwrap()).to_string());
        assert_eq!(p.difficulty, "4");
    }
    let held = String::from_utf8(reasonlab(&["data", "--task", "word", "--ops", "3", "--n", "5", "--held-out"]).stdout).unwrap();
    assert_eq!(held.lines().count(), 5);
    // The calculator's sets: every number of a word problem's first sentence
    // has 5–6 digits, both factors of a product 4.
    let big = String::from_utf8(reasonlab(&["data", "--task", "word", "--ops", "4", "--n", "20", "--big"]).stdout).unwrap();
    for p in reasonlab::data::reasoning::from_jsonl(&big).0 {
        let first = p.question.split(" has ").nth(1).and_then(|r| r.split(' ').next()).unwrap();
        assert!((5..=6).contains(&first.len()), "{}", p.question);
    }
    let mul = String::from_utf8(reasonlab(&["data", "--task", "mul", "--digits", "4", "--n", "20", "--big"]).stdout).unwrap();
    for p in reasonlab::data::reasoning::from_jsonl(&mul).0 {
        assert!(p.question.split('*').all(|f| f.len() == 4), "{}", p.question);
    }
    for args in [&["data"][..], &["data", "--task", "div"], &["data", "--task", "add", "--digits", "9"], &["data", "--task", "add", "--n", "x"]] {
        let out = reasonlab(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1, "{args:?}: one line");
    }
}

/// A GPT-mini that knows 1-digit sums, scored on a hand-written file with
/// bad lines in it: the counts, the skipped lines by number, numbers compared
/// as numbers.
#[test]
fn eval_scores_a_model_on_a_jsonl_file_and_skips_bad_lines_by_number() {
    let dir = std::env::temp_dir().join(format!("reasonlab-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("mini.safetensors");
    let out = reasonlab(&["run", "gpt-mini", "--task", "add", "--level", "1", "--train_n", "100", "--eval_n", "10", "--layers", "1", "--width", "32", "--steps", "300", "--eval_every", "300", "--seed", "1", "--save", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let huge = format!("{{\"question\": \"{}\", \"answer\": \"1\"}}", "9".repeat(1 << 20));
    let lines = [
        r#"{"question": "2+3", "answer": "5", "task": "add", "difficulty": "1"}"#.to_string(),
        r#"{"question": "4+4", "answer": " 8.0 ", "task": "add", "difficulty": "1"}"#.to_string(),
        "this is not json".to_string(),
        r#"{"question": "1+1", "answer": "3", "task": "add", "difficulty": "1"}"#.to_string(),
        r#"{"question": "6+1"}"#.to_string(),
        huge,
        r#"{"question": "é+1", "answer": "2"}"#.to_string(),
    ];
    let data = dir.join("set.jsonl");
    std::fs::write(&data, lines.join("\n")).unwrap();
    let out = reasonlab(&["eval", "--model", model.to_str().unwrap(), "--data", data.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for n in [3, 5, 6, 7] {
        assert!(stderr.contains(&format!("set.jsonl:{n}: skipped")), "line {n} is reported: {stderr}");
    }
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 4, "three questions and the totals: {stdout}");
    assert_eq!(rows[0]["correct"], true, "{stdout}");
    assert_eq!(rows[1]["correct"], true, "8 is 8.0: {stdout}");
    assert_eq!(rows[2]["correct"], false, "1+1 is not 3: {stdout}");
    assert_eq!((rows[3]["total"].clone(), rows[3]["correct"].clone(), rows[3]["skipped"].clone()), (3.into(), 2.into(), 4.into()));
    // The model trained on every 1-digit sum: all three are recall, and nothing is left clean.
    assert_eq!((rows[3]["in_training"].clone(), rows[3]["in_training_share"].clone(), rows[3]["clean"]["total"].clone()), (3.into(), 1.0.into(), 0.into()), "{stdout}");
    assert_eq!(rows[0]["in_training"], true);
    assert!(rows[3]["accuracy_lo"].as_f64().unwrap() < 0.6667 && rows[3]["accuracy_hi"].as_f64().unwrap() > 0.6667, "{stdout}");
    let plain = String::from_utf8(reasonlab(&["eval", "--model", model.to_str().unwrap(), "--data", data.to_str().unwrap()]).stdout).unwrap();
    assert!(plain.starts_with("accuracy 0.6667 (2 of 3; ") && plain.contains(" questions/s)"), "{plain}");
    assert!(rows[3]["questions_per_sec"].as_f64().is_some_and(|q| q > 0.0), "{stdout}");
    assert_eq!(reasonlab(&["eval", "--model", data.to_str().unwrap(), "--data", data.to_str().unwrap()]).status.code(), Some(2), "a JSONL file is no model");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A model of 5,000 two-digit sums (the default) against a fresh set of the
/// same kind: `eval` reports the true overlap, twins included, and a set made
/// with `--exclude` that model has none of.
#[test]
fn eval_reports_what_a_model_trained_on_and_data_can_leave_it_out() {
    use reasonlab::data::reasoning::{generate, seen::key, Spec};
    let dir = std::env::temp_dir().join(format!("reasonlab-overlap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("mini.safetensors");
    let out = reasonlab(&["run", "gpt-mini", "--steps", "1", "--eval_n", "10", "--layers", "1", "--width", "32", "--seed", "4", "--save", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The training set, made again as the lab makes it (seed 4, one difficulty).
    let train = generate(&Spec::new("add", 2).unwrap(), 5000, 4, &std::collections::BTreeSet::new());
    let keys: std::collections::BTreeSet<String> = train.iter().map(|p| key(&p.question)).collect();
    let score = |set: &str| {
        let data = dir.join(format!("{}.jsonl", set.len()));
        let args: Vec<&str> = set.split(' ').collect();
        let out = reasonlab(&[&["data", "--task", "add", "--digits", "2", "--n", "300", "--seed", "5"][..], &args].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::write(&data, &out.stdout).unwrap();
        let fresh = reasonlab::data::reasoning::from_jsonl(&String::from_utf8(out.stdout).unwrap()).0;
        let out = reasonlab(&["eval", "--model", model.to_str().unwrap(), "--data", data.to_str().unwrap(), "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let last: serde_json::Value = serde_json::from_str(String::from_utf8(out.stdout).unwrap().lines().last().unwrap()).unwrap();
        (fresh, last)
    };
    let (fresh, last) = score("--n 300");
    let truth = fresh.iter().filter(|p| keys.contains(&key(&p.question))).count();
    eprintln!("{truth} of 300 trained on: {last}");
    assert_eq!(last["in_training"], truth);
    assert!(truth > 180, "5,000 of 8,100 sums cover most of the 4,095 pairs: {truth}");
    assert_eq!(last["clean"]["total"], 300 - truth);
    let (fresh, last) = score(&format!("--exclude {}", model.to_str().unwrap()));
    assert_eq!(fresh.len(), 300);
    assert!(fresh.iter().all(|p| !keys.contains(&key(&p.question))));
    assert_eq!((last["in_training"].clone(), last["in_training_share"].clone()), (0.into(), 0.0.into()));
    std::fs::remove_dir_all(&dir).unwrap();
}
