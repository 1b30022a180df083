//! `reasonlab`: run any lab headless and print its metrics.
//!
//!     reasonlab list
//!     reasonlab run perceptron --gate xor --model mlp --seed 1 --steps 2000 --json
//!
//! Bad arguments get a one-line error and exit code 2.

use reasonlab::data::files::DataFiles;
use reasonlab::event::{Event, Snapshot};
use reasonlab::labs::{self, Training};
use reasonlab::settings::{quote, Params};
use serde_json::{json, Map, Value};
use std::process::ExitCode;
use std::time::Instant;

/// `println!` for what the CLI prints: when the reader has gone (`reasonlab
/// data … | head`), stop quietly as Unix tools do, not with a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// mimalloc gives freed memory back to the OS after 10 ms. A training step frees
// and allocates the same large tensors every few milliseconds, so each step paid
// page faults and the kernel zeroing those pages again (perf: `clear_page` 10 %
// of a GPT-M step; −5 % step time without purging, BENCHMARKS.md). The CLI keeps
// its memory instead. The option's number is its place in mimalloc v3's enum
// (libmimalloc-sys 0.1.49, `include/mimalloc.h`); the crate exposes the call
// only behind a feature that needs one more dependency.
extern "C" {
    fn mi_option_set(option: i32, value: std::os::raw::c_long);
}
const MI_OPTION_PURGE_DELAY: i32 = 15;

const USAGE: &str = "usage: reasonlab list | reasonlab run <lab> [--preset N] [--<setting> <value>]... [--text-file PATH] [--load FILE] [--with FILE]... [--save FILE] [--markdown FILE] [--backend cpu|wgpu] [--every N] [--json] | reasonlab bench gpt [--size s|m] [--backend cpu|wgpu] [--json] | reasonlab bench tsne [--points N] | reasonlab bench sample [--batch N] [--backend cpu|wgpu] [--json] | reasonlab bench snapshot <lab> [--<setting> <value>]... | reasonlab data --task add|sub|mul|logic|word [--digits N | --hops N | --ops N] [--n N] [--seed S] [--held-out] [--big] [--exclude MODEL]... | reasonlab eval --model FILE --data FILE.jsonl [--json]";

fn main() -> ExitCode {
    // SAFETY: one call with a valid option, before any other thread exists.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("reasonlab: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("list") if args.len() == 1 => {
            for lab in labs::LABS {
                let state = if labs::spec(lab.id).is_some() { "ready" } else { "not built yet" };
                out!("day {:>2}  week {}  {:<17} {:<48} {state}", lab.day, lab.week(), lab.id, lab.title);
            }
            Ok(())
        }
        Some("run") => run_lab(&args[1..]),
        Some("data") => data(&args[1..]),
        Some("eval") => eval(&args[1..]),
        // The benchmarks that are hidden labs, so that the page times the same code.
        Some("bench") if matches!(args.get(1).map(String::as_str), Some("gpt" | "sample")) => {
            let mut rest = vec![if args[1] == "gpt" { "bench" } else { "bench-sample" }.to_string()];
            rest.extend_from_slice(&args[2..]);
            run_lab(&rest)
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("tsne") => bench_tsne(&args[2..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("snapshot") => bench_snapshot(&args[2..]),
        Some("bench") => Err("bench needs a workload: `reasonlab bench gpt`, `reasonlab bench sample`, `reasonlab bench tsne` or `reasonlab bench snapshot <lab>`".into()),
        Some("help" | "--help" | "-h") => {
            out!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {}; {USAGE}", quote(other))),
        None => Err(USAGE.to_string()),
    }
}

struct RunArgs {
    lab: String,
    params: Params,
    backend: String,
    every: usize,
    json: bool,
    /// `--text-file PATH`: the user's own text, handed to the lab as `UPLOAD`.
    text_file: Option<String>,
    /// `--load PATH`: a model file to start from, handed to the lab as `MODEL`.
    load: Option<String>,
    /// `--save PATH`: where the trained model goes after the last step.
    save: Option<String>,
    /// `--with PATH`, repeated: models set beside the first (eval's Model B,
    /// compare's others), handed to the lab as `MODEL_B`, model_c, ….
    with: Vec<String>,
    /// `--markdown PATH`: the run's tables (the report's findings, …) as Markdown.
    markdown: Option<String>,
}

fn parse_run_args(args: &[String]) -> Result<RunArgs, String> {
    let lab = args.first().ok_or("run needs a lab id; see `reasonlab list`")?;
    let info = labs::find(lab).ok_or_else(|| format!("no lab {}; see `reasonlab list`", quote(lab)))?;
    let bench = info.id.starts_with("bench");
    labs::spec(info.id).ok_or_else(|| format!("lab {} is not built yet", info.id))?;
    let schema = labs::schema(info.id);
    let mut out = RunArgs {
        lab: info.id.to_string(),
        params: Params::defaults(&schema),
        backend: "cpu".into(),
        every: if bench { 1 } else { 0 },
        json: false,
        text_file: None,
        load: None,
        save: None,
        with: Vec::new(),
        markdown: None,
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let key = flag.strip_prefix("--").ok_or_else(|| format!("expected --<setting>, got {}", quote(flag)))?;
        if key == "json" {
            out.json = true;
            continue;
        }
        let value = rest.next().ok_or_else(|| format!("--{key} needs a value"))?;
        match key {
            "backend" if matches!(value.as_str(), "cpu" | "wgpu") => out.backend = value.clone(),
            "backend" => return Err(format!("--backend must be cpu or wgpu, not {}", quote(value))),
            "every" => out.every = value.parse().ok().filter(|n| *n > 0).ok_or("--every needs a positive whole number")?,
            // The text the lab declares it reads from a file (`Takes::upload`), from this path.
            "text-file" => {
                let key = labs::spec(info.id).and_then(|s| s.takes.upload).ok_or_else(|| format!("lab {} takes no text file", out.lab))?;
                out.text_file = Some(value.clone());
                out.params.set(&schema, key, "file")?;
            }
            "load" => out.load = Some(value.clone()),
            "save" => out.save = Some(value.clone()),
            "with" => out.with.push(value.clone()),
            "markdown" => out.markdown = Some(value.clone()),
            // The lab's Nth preset (1 is the first the page lists); flags after it override it.
            "preset" => {
                let presets = labs::spec(info.id).map_or(&[][..], |s| s.presets);
                let n: usize = value.parse().map_err(|_| format!("--preset needs a number: lab {} has {} presets", info.id, presets.len()))?;
                let preset = n.checked_sub(1).and_then(|i| presets.get(i)).ok_or_else(|| format!("lab {} has {} presets; --preset {n} is not one of them", info.id, presets.len()))?;
                for (k, v) in preset.values {
                    out.params.set(&schema, k, v)?;
                }
            }
            _ => out.params.set(&schema, key, value).map_err(|e| format!("--{e}"))?,
        }
    }
    Ok(out)
}

fn device(backend: &str) -> Result<burn::prelude::Device, String> {
    match backend {
        #[cfg(feature = "wgpu")]
        "wgpu" => burn::prelude::Device::wgpu_options().init().map_err(|e| format!("wgpu: {e:?}")),
        #[cfg(not(feature = "wgpu"))]
        "wgpu" => Err("this build has no wgpu backend".into()),
        _ => Ok(reasonlab::backend::cpu()),
    }
}

/// Starts the lab the arguments name, with its data files read from disk.
fn start_lab(args: &RunArgs) -> Result<Box<dyn Training>, String> {
    let device = device(&args.backend)?;
    let names = labs::spec(&args.lab).map_or(Ok(&[][..]), |s| (s.data)(&args.params))?;
    let mut files = DataFiles::read_dir(&DataFiles::default_dir(), names)?;
    if let Some(path) = &args.text_file {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read the text file {path}: {e}"))?;
        files.insert(reasonlab::data::files::UPLOAD, bytes);
    }
    let others = args.with.iter().enumerate().map(|(i, path)| (reasonlab::data::files::other_model(i), path));
    for (name, path) in args.load.iter().map(|p| (reasonlab::data::files::MODEL.to_string(), p)).chain(others) {
        // A model file is a few megabytes; a huge one is refused before it is read.
        let size = std::fs::metadata(path).map_err(|e| format!("cannot read the model file {path}: {e}"))?.len();
        if size > 512 << 20 {
            return Err(format!("the model file {path} is {} MB: not a model of this course", size >> 20));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read the model file {path}: {e}"))?;
        files.insert(&name, bytes);
    }
    labs::start(&args.lab, &args.params, &device, &files)
}

fn run_lab(args: &[String]) -> Result<(), String> {
    let args = parse_run_args(args)?;
    let mut lab = start_lab(&args)?;
    let total = lab.total_steps();
    // Lines are printed every `every` steps. A lab that caps its chunk (the
    // benchmark; Day 26 once it draws answers) gets a snapshot after each
    // chunk of calls instead, since it reads there what its next steps need;
    // one that caps it from the start prints its last line only, unless asked.
    let every = if args.every > 0 { args.every } else { (total / 20).max(1) };
    let quiet = lab.max_chunk().is_some() && args.every == 0;
    let load_before = load_average();
    let start = Instant::now();
    let mut trained = 0.0f64; // seconds spent in steps, not in reads
    // Every figure drawn, the latest of each name, and the last note: `--markdown` writes them.
    let mut figures = std::collections::BTreeMap::new();
    let mut note = String::new();
    if lab.is_done() {
        // Nothing to train (a lab that only uses a loaded model): its one snapshot.
        let snap = pollster::block_on(lab.snapshot())?;
        figures.extend(snap.figures.iter().map(|f| (f.name.clone(), f.clone())));
        note.clone_from(&snap.note);
        print_line(&args, &snap, 0.0, true, start.elapsed().as_secs_f64(), load_before);
    }
    let (mut calls, mut printed) = (0usize, None);
    while !lab.is_done() {
        let t = Instant::now();
        lab.step();
        calls += 1;
        trained += t.elapsed().as_secs_f64();
        let step = lab.steps_done();
        let due = match lab.max_chunk() {
            Some(limit) => calls % limit.max(1) == 0,
            None => step % every == 0,
        };
        if due || lab.is_done() {
            let snap = pollster::block_on(lab.snapshot())?;
            figures.extend(snap.figures.iter().map(|f| (f.name.clone(), f.clone())));
            note.clone_from(&snap.note);
            let print = lab.is_done() || (!quiet && step % every == 0 && printed != Some(step));
            if print {
                printed = Some(step);
                print_line(&args, &snap, step as f64 / trained.max(1e-9), lab.is_done(), start.elapsed().as_secs_f64(), load_before);
            }
        }
    }
    if let Some(path) = &args.markdown {
        write_markdown(&args, path, &figures, &note)?;
    }
    if let Some(path) = &args.save {
        let bytes = pollster::block_on(lab.save())?;
        std::fs::write(path, &bytes).map_err(|e| format!("cannot write the model file {path}: {e}"))?;
        // The page's links name a model by this hash (import the file there).
        eprintln!("saved {path}: model {}", reasonlab::models::checkpoint::content_hash(&bytes));
    }
    Ok(())
}

/// `reasonlab data`: a generated problem set as JSONL on stdout. `--held-out`
/// makes a word-problem test set of the templates training never sees;
/// `--big`, the calculator lab's numbers (word problems with 5–6-digit
/// numbers, both operands of `--digits` digits).
fn data(args: &[String]) -> Result<(), String> {
    use reasonlab::data::reasoning::{generate, to_jsonl, Seen, Spec};
    let (mut task, mut level, mut n, mut seed, mut held_out, mut big) = (None, None, 100usize, 0u64, false, false);
    // `--exclude MODEL`, repeatable: none of these models' training questions (nor their swapped twins).
    let mut exclude = Seen::default();
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        if flag == "--held-out" {
            held_out = true;
            continue;
        }
        if flag == "--big" {
            big = true;
            continue;
        }
        let value = rest.next().ok_or_else(|| format!("{} needs a value", quote(flag)))?;
        let number = || value.parse::<usize>().map_err(|_| format!("{flag} needs a whole number, not {}", quote(value)));
        match flag.as_str() {
            "--task" => task = Some(value.clone()),
            "--digits" | "--hops" | "--ops" => level = Some(number()?),
            "--n" => n = number()?.min(1_000_000),
            "--seed" => seed = value.parse().map_err(|_| format!("--seed needs a whole number, not {}", quote(value)))?,
            "--exclude" => exclude.extend(&trained_on(value)?.ok_or_else(|| format!("{value}: the file does not say what it trained on (saved before models kept it)"))?),
            _ => return Err(format!("unknown flag {}; usage: reasonlab data --task add|sub|mul|logic|word [--digits N | --hops N | --ops N] [--n N] [--seed S] [--held-out] [--big] [--exclude MODEL]...", quote(flag))),
        }
    }
    let task = task.ok_or("data needs --task add|sub|mul|logic|word")?;
    let default = if task == "logic" || task == "word" { 2 } else { 3 };
    let mut spec = Spec::new(&task, level.unwrap_or(default))?;
    spec.held_out = held_out;
    if big {
        spec = spec.for_calculator();
    }
    // `out!` adds the line end that the set's last line already has.
    let set = to_jsonl(&generate(&spec, n, seed, &exclude));
    if !set.is_empty() {
        out!("{}", set.trim_end_matches('\n'));
    }
    Ok(())
}

/// Reads a model file (refusing a huge one) and checks it.
fn read_model(path: &str) -> Result<(Vec<u8>, reasonlab::models::checkpoint::Checkpoint), String> {
    if std::fs::metadata(path).map_err(|e| format!("cannot read the model file {path}: {e}"))?.len() > 512 << 20 {
        return Err(format!("the model file {path} is over 512 MB: not a model of this course"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the model file {path}: {e}"))?;
    let ck = reasonlab::models::checkpoint::decode(&bytes).map_err(|e| format!("{path}: {e}"))?;
    Ok((bytes, ck))
}

/// The training questions a model file records; `None` for a file saved
/// before models kept them.
fn trained_on(path: &str) -> Result<Option<reasonlab::data::reasoning::Seen>, String> {
    let (_, ck) = read_model(path)?;
    reasonlab::data::reasoning::Seen::from_meta(&ck.meta).transpose().map_err(|e| format!("{path}: {e}"))
}

/// `reasonlab eval`: a model's exact-match accuracy on a JSONL set, overall,
/// per task and per difficulty; with `--json`, a line per question and one
/// with the totals. Lines that are not problems, or that the model cannot
/// read, are reported by number on stderr and skipped.
fn eval(args: &[String]) -> Result<(), String> {
    use reasonlab::data::reasoning::from_jsonl;
    use reasonlab::labs::reason::score::{calls_calculator, readable, score, tally};
    use reasonlab::stats::wilson;
    let (mut model, mut data, mut as_json) = (None, None, false);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--json" => as_json = true,
            "--model" => model = rest.next().cloned(),
            "--data" => data = rest.next().cloned(),
            _ => return Err(format!("unknown flag {}; usage: reasonlab eval --model FILE --data FILE.jsonl [--json]", quote(flag))),
        }
    }
    let (model, data) = (model.ok_or("eval needs --model FILE")?, data.ok_or("eval needs --data FILE.jsonl")?);
    let (_, ck) = read_model(&model)?;
    let seen = reasonlab::data::reasoning::Seen::from_meta(&ck.meta).transpose().map_err(|e| format!("{model}: {e}"))?;
    let text = std::fs::read_to_string(&data).map_err(|e| format!("cannot read {data}: {e}"))?;
    let (problems, bad) = from_jsonl(&text);
    let lines: Vec<usize> = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, _)| i + 1).filter(|n| !bad.iter().any(|b| b.0 == *n)).collect();
    let vocab = reasonlab::data::chars::CharVocab { chars: ck.vocab.clone() };
    let (problems, unreadable) = readable(problems, &vocab);
    for (line, why) in bad.iter().cloned().chain(unreadable.into_iter().map(|(i, why)| (lines[i], why))) {
        eprintln!("{data}:{line}: skipped: {why}");
    }
    let device = reasonlab::backend::cpu();
    let model = ck.to_model(&device);
    let started = Instant::now();
    // A model trained to call the calculator gets it here too.
    let scored = pollster::block_on(score(&model, &vocab, &problems, calls_calculator(&ck.meta), &device))?;
    let per_sec = scored.len() as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let (all, by_task, by_level) = tally(&scored);
    // Which questions the model trained on (a swapped twin counts): the
    // clean part is the score on the others.
    let trained: Option<Vec<bool>> = seen.as_ref().map(|seen| scored.iter().map(|s| seen.contains(&s.question)).collect());
    let in_training = trained.as_ref().map(|t| t.iter().filter(|&&x| x).count());
    let clean = trained.as_ref().map(|t| scored.iter().zip(t).filter(|(_, &x)| !x).fold((0, 0), |(c, n), (s, _)| (c + s.correct as usize, n + 1)));
    let (lo, hi) = wilson(all.correct, all.total);
    if as_json {
        for (i, s) in scored.iter().enumerate() {
            out!("{}", json!({"question": s.question, "answer": s.answer, "output": s.output, "correct": s.correct, "task": s.task, "difficulty": s.difficulty, "in_training": trained.as_ref().map(|t| t[i])}));
        }
        let mut line = json!({"total": all.total, "correct": all.correct, "accuracy": all.accuracy(), "accuracy_lo": lo, "accuracy_hi": hi, "by_task": by_task, "by_difficulty": by_level, "skipped": text.lines().filter(|l| !l.trim().is_empty()).count() - all.total, "questions_per_sec": per_sec, "in_training": in_training, "in_training_share": in_training.map(|k| k as f64 / all.total.max(1) as f64)});
        if let Some((c, n)) = clean {
            let (lo, hi) = wilson(c, n);
            line["clean"] = json!({"total": n, "correct": c, "accuracy": c as f64 / n.max(1) as f64, "accuracy_lo": lo, "accuracy_hi": hi});
        }
        out!("{line}");
    } else {
        out!("accuracy {:.4} ({} of {}; 95 % CI {lo:.4}–{hi:.4}; {per_sec:.1} questions/s)", all.accuracy(), all.correct, all.total);
        for (name, t) in by_task.iter().chain(&by_level) {
            let (lo, hi) = wilson(t.correct, t.total);
            out!("  {name:<12} {:.4} ({} of {}; 95 % CI {lo:.4}–{hi:.4})", t.accuracy(), t.correct, t.total);
        }
        match (in_training, clean) {
            (Some(k), Some((c, n))) => {
                out!("in training: {k} of {} ({:.4}): questions the model trained on, or their swapped twins", all.total, k as f64 / all.total.max(1) as f64);
                let (lo, hi) = wilson(c, n);
                out!("clean: accuracy {:.4} ({c} of {n}; 95 % CI {lo:.4}–{hi:.4}) on the questions it never trained on", c as f64 / n.max(1) as f64);
            }
            _ => out!("in training: unknown (the model file does not say what it trained on: saved before models kept it)"),
        }
    }
    Ok(())
}

/// The bytes a snapshot takes as JSON (the page's message is the same
/// structure as a JS object): the first, then after 20 and 40 steps.
fn bench_snapshot(args: &[String]) -> Result<(), String> {
    let args = parse_run_args(args)?;
    let mut lab = start_lab(&args)?;
    let mut sizes = Vec::new();
    for steps in [0, 20, 20] {
        for _ in 0..steps {
            lab.step();
        }
        let snap = pollster::block_on(lab.snapshot())?;
        let bytes = serde_json::to_string(&Event::Snapshot(snap)).map_err(|e| e.to_string())?.len();
        sizes.push(json!({"step": lab.steps_done(), "bytes": bytes}));
    }
    out!("{}", json!({"bench": "snapshot", "lab": args.lab, "settings": args.params.0, "snapshots": sizes}));
    Ok(())
}

/// Exact t-SNE on `--points N` (default 1000) synthetic points: 10 Gaussian
/// clusters in 32-D, perplexity 30; affinities, then 500 iterations.
fn bench_tsne(args: &[String]) -> Result<(), String> {
    let points: usize = match args {
        [] => 1000,
        [flag, n] if flag == "--points" => n.parse().ok().filter(|n| (10..=5000).contains(n)).ok_or("--points must be 10–5000")?,
        _ => return Err("usage: reasonlab bench tsne [--points N]".into()),
    };
    let mut rng = reasonlab::rng::Rng::new(1);
    let data: Vec<Vec<f32>> = (0..points).map(|i| (0..32).map(|d| if d == i % 10 { 8.0 } else { 0.0 } + rng.normal()).collect()).collect();
    let load_before = load_average();
    let start = Instant::now();
    let mut tsne = reasonlab::projection::tsne::Tsne::new(&data, 30.0, 1);
    let affinities = start.elapsed().as_secs_f64();
    let mut kl = 0.0;
    for _ in 0..500 {
        kl = tsne.step();
    }
    let total = start.elapsed().as_secs_f64();
    out!("{}", json!({"bench": "tsne", "points": points, "affinities_s": affinities, "iteration_ms": (total - affinities) * 2.0, "total_s": total, "kl": kl, "load_before": load_before, "load_after": load_average()}));
    Ok(())
}

/// The 1-minute load average, recorded beside every benchmark figure.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// The run's tables, in its spec's order, as a Markdown file.
fn write_markdown(args: &RunArgs, path: &str, figures: &std::collections::BTreeMap<String, reasonlab::figure::Figure>, note: &str) -> Result<(), String> {
    use reasonlab::labs::export::{report_markdown, Section};
    let (Some(info), Some(spec)) = (labs::find(&args.lab), labs::spec(&args.lab)) else { return Ok(()) };
    let sections: Vec<Section> = spec
        .figures
        .iter()
        .filter_map(|f| {
            let figure = figures.get(f.name)?;
            match &figure.plot {
                reasonlab::figure::Plot::Table(t) => Some(Section::Table { caption: format!("{}. {}", f.title, figure.caption), rows: t.all_rows() }),
                _ => None,
            }
        })
        .collect();
    let command = format!("reasonlab run {} {}", args.lab, args.params.0.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("--{k} {v:?}")).collect::<Vec<_>>().join(" "));
    let (md, _) = report_markdown(&format!("ReasonLab · Day {} · {}", info.day, info.title), spec.intro, &command, &sections, note);
    std::fs::write(path, md).map_err(|e| format!("cannot write {path}: {e}"))
}

fn print_line(args: &RunArgs, snap: &Snapshot, steps_per_sec: f64, done: bool, elapsed: f64, load_before: Option<f64>) {
    if args.json {
        let mut line = Map::new();
        line.insert("step".into(), json!(snap.step));
        for (name, value) in snap.metrics.iter().filter(|(n, _)| n != "step") {
            line.insert(name.clone(), json!(value));
        }
        line.insert("steps_per_sec".into(), json!(steps_per_sec));
        if done {
            line.insert("done".into(), json!(true));
            line.insert("lab".into(), json!(args.lab));
            line.insert("backend".into(), json!(args.backend));
            line.insert("seconds".into(), json!(elapsed));
            line.insert("settings".into(), json!(args.params.0));
            line.insert("load_before".into(), json!(load_before));
            line.insert("load_after".into(), json!(load_average()));
        }
        out!("{}", Value::Object(line));
    } else {
        let metrics: Vec<String> = snap.metrics.iter().filter(|(n, _)| n != "step").map(|(n, v)| format!("{n} {}", reasonlab::figure::format_metric(*v))).collect();
        out!("step {:>6}/{}  {}  ({steps_per_sec:.0} steps/s)", snap.step, snap.total_steps, metrics.join("  "));
    }
}
