//! Day 25's run: the problems are read or generated when the lab is built;
//! each step marks the next CHUNK of them due, and a snapshot scores what is
//! due with every model (greedy writing needs reads from the device, which
//! happen in snapshots only).

use super::{Column, EvalView, CHUNK, GSM, PARARULE};
use crate::data::chars::CharVocab;
use crate::data::files::{letter, other_model, DataFiles, MODEL, MODEL_B};
use crate::data::reasoning::{from_jsonl, generate, Problem, Seen, Spec};
use crate::event::Snapshot;
use crate::labs::reason::score::{calls_calculator, readable, score};
use crate::labs::{LocalFuture, Training};
use crate::models::checkpoint;
use crate::models::gpt::Gpt;
use crate::settings::Params;
use burn::prelude::*;

pub struct EvalLab {
    /// Each model, its characters, and whether it calls the calculator.
    models: Vec<(Gpt, CharVocab, bool)>,
    problems: Vec<Problem>,
    /// Problems left out: a character outside a model's vocabulary.
    unreadable: usize,
    /// Scored problems that some model trained on (generated sets leave
    /// them out, so 0 there), and the models whose files do not say.
    in_training: usize,
    unknown: Vec<String>,
    view: EvalView,
    /// Problems due to be scored (steps × CHUNK), and scored.
    due: usize,
    scored: usize,
    /// Seconds spent writing answers so far.
    seconds: f64,
    /// Day 29: every model against the first.
    compare: bool,
    device: Device,
}

impl EvalLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        // The files and the hashes the link names: Model, then Model B (Day
        // 25) or each model compared with it (Day 29).
        let compare = params.get("models").is_ok();
        let mut slots = vec![(MODEL.to_string(), params.get("model")?.to_string())];
        if compare {
            // Whatever models came (the page sends those it keeps, the CLI its `--with`).
            let present = (0..).map(other_model).take_while(|name| files.get(name).is_ok());
            slots.extend(present.map(|name| (name, String::new())).collect::<Vec<_>>());
        } else {
            slots.push((MODEL_B.to_string(), params.get("model_b")?.to_string()));
        }
        let mut models = Vec::new();
        let (mut names, mut controls) = (Vec::new(), Vec::new());
        // What any of the models trained on: no generated problem is one of them.
        let (mut seen, mut unknown) = (Seen::default(), Vec::new());
        for (file, hash) in &slots {
            let Ok(bytes) = files.get(file) else { continue };
            let info = checkpoint::info(bytes).map_err(|e| format!("The model file cannot be loaded: {e}."))?;
            let ck = checkpoint::decode(bytes)?;
            match Seen::from_meta(&ck.meta) {
                Some(trained) => seen.extend(&trained?),
                None => unknown.push(info.hash.clone()),
            }
            controls.push(ck.number("accuracy").zip(ck.number("control_accuracy")));
            models.push((ck.to_model(device), CharVocab { chars: ck.vocab.clone() }, calls_calculator(&ck.meta)));
            // A comparison's page sends only the models it keeps: each named by its own hash.
            names.push(format!("{} ({})", info.name, if hash.is_empty() || compare { &info.hash } else { hash }));
        }
        let n = params.usize("n")?;
        let set = if compare { "range" } else { params.get("set")? };
        let problems = match set {
            "range" => {
                let (from, to) = (params.usize("from")?, params.usize("to")?);
                if from > to {
                    return Err(format!("From difficulty ({from}) is above To difficulty ({to})."));
                }
                let mut all = Vec::new();
                for level in from..=to {
                    // The seed eval uses, so that both score the same problems.
                    let spec = Spec { held_out: true, ..Spec::new(params.get("task")?, level)? };
                    all.extend(generate(&spec, n, params.u64("seed")?.wrapping_add(0xE7A1 + level as u64), &seen));
                }
                all
            }
            "generated" => {
                // A seed no training run of this course uses for its problems.
                let spec = Spec { held_out: true, ..Spec::new(params.get("task")?, params.usize("level")?)? };
                generate(&spec, n, params.u64("seed")?.wrapping_add(0xE7A1), &seen)
            }
            set => {
                let name = if set == "gsm_symbolic" { GSM } else { PARARULE };
                let text = std::str::from_utf8(files.get(name)?).map_err(|_| format!("data/{name} is not UTF-8"))?;
                from_jsonl(text).0.into_iter().take(n).collect()
            }
        };
        if problems.is_empty() {
            return Err("No problem left to score: every one of this task and difficulty is a question a model here trained on (or its swapped twin). Pick a higher difficulty.".into());
        }
        // Every model must be able to read every problem scored.
        let mut problems = problems;
        let before = problems.len();
        for (_, vocab, _) in &models {
            problems = readable(problems, vocab).0;
        }
        if problems.is_empty() {
            return Err("No problem to score: every one has a character outside the model's vocabulary.".into());
        }
        let view = EvalView { columns: names.into_iter().zip(controls).map(|(name, control)| Column { name, rows: Vec::new(), control }).collect(), total: problems.len() };
        let in_training = seen.count_in(&problems);
        Ok(Self { unreadable: before - problems.len(), in_training, unknown, models, problems, view, due: 0, scored: 0, seconds: 0.0, compare, device: device.clone() })
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        let due = self.due.min(self.problems.len());
        if due > self.scored {
            let batch = &self.problems[self.scored..due];
            let started = web_time::Instant::now();
            for ((model, vocab, calculator), column) in self.models.iter().zip(&mut self.view.columns) {
                for s in score(model, vocab, batch, *calculator, &self.device).await? {
                    let group = format!("{} {}", s.task, s.difficulty);
                    column.rows.push((s.question, s.answer, s.output, s.correct, group));
                }
            }
            self.seconds += started.elapsed().as_secs_f64();
            self.scored = due;
        }
        let mut metrics = vec![("step".to_string(), self.steps_done() as f64), ("scored".into(), self.scored as f64)];
        if !self.models.is_empty() && self.unknown.is_empty() {
            metrics.push(("in_training".into(), self.in_training as f64));
        }
        for (k, column) in self.view.columns.iter().enumerate() {
            let (right, total) = column.tally(None);
            let key = if k == 0 { "accuracy".to_string() } else { format!("accuracy_{}", letter(k)) };
            metrics.extend(crate::stats::accuracy_metrics(&key, right, total));
        }
        // Each model against the first, on the same questions: the paired change and its interval.
        for (k, p) in self.view.changes().into_iter().enumerate() {
            let (d, lo, hi) = p.difference();
            let l = letter(k + 1);
            metrics.extend([(format!("fixed_{l}"), p.second_only as f64), (format!("broke_{l}"), p.first_only as f64)]);
            metrics.extend([(format!("change_{l}"), d), (format!("change_{l}_lo"), lo), (format!("change_{l}_hi"), hi), (format!("change_{l}_n"), p.n() as f64)]);
        }
        // Greedy writing with the KV cache, a batch per question length: each
        // model's questions over the time spent writing.
        if self.seconds > 0.0 {
            metrics.push(("questions_per_sec".into(), (self.scored * self.models.len()) as f64 / self.seconds));
        }
        let mut skipped = if self.unreadable > 0 { format!(" {} problems were left out: a character outside a model's vocabulary.", self.unreadable) } else { String::new() };
        skipped += &match (self.unknown.is_empty(), self.in_training) {
            (false, _) => format!(" The file of {} does not say what it trained on (made before models kept it), so some of these problems may be ones it learned: train it again to check.", self.unknown.join(", ")),
            (true, 0) => " None of them is a question any of these models trained on, nor a swapped twin of one (checked against each model's file).".to_string(),
            (true, k) => format!(" {k} of them are questions a model here trained on (or their swapped twins): its score on those is recall, not reasoning."),
        };
        let note = match self.models.len() {
            0 if self.compare => format!("{} problems ready. Pick the model the others are measured against with Use (usually the CoT model they were tuned from), then add the others with Add.", self.problems.len()),
            0 => format!("{} problems ready. Pick a model to score: train one in Day 23 or 24 (a finished run is kept in the list below) or import a file, then press Use (and Use as B for a second).", self.problems.len()),
            m => format!("{} problems, scored {CHUNK} a step by {m} model{}.{skipped}{}", self.problems.len(), if m == 1 { "" } else { "s" }, if m > 1 && !self.compare && self.scored > 0 { format!(" {}", self.view.verdict(1)) } else { String::new() }),
        };
        let mut figures = self.view.figures();
        if self.compare {
            figures.insert(2, self.view.changes_figure());
        }
        Ok(Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics, series: Vec::new(), note, figures })
    }
}

impl Training for EvalLab {
    fn step(&mut self) {
        self.due = (self.due + CHUNK).min(self.problems.len());
    }
    fn steps_done(&self) -> usize {
        self.due.div_ceil(CHUNK)
    }
    fn total_steps(&self) -> usize {
        self.problems.len().div_ceil(CHUNK).max(1)
    }
    /// One chunk between snapshots, so that each is scored as it is due.
    fn max_chunk(&self) -> Option<usize> {
        Some(1)
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
}
