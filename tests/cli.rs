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
        vec!["run", "gpt"],
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
