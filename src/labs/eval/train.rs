//! Day 25's run: the problems are read or generated when the lab is built;
//! each step marks the next CHUNK of them due, and a snapshot scores what is
//! due with every model (greedy writing needs reads from the device, which
//! happen in snapshots only).

use super::{Column, EvalView, CHUNK, GSM, PARARULE};
use crate::data::chars::CharVocab;
use crate::data::files::{letter, other_model, DataFiles, MODEL, MODEL_B};
use crate::data::reasoning::{from_jsonl, generate, Problem, Spec};
use crate::event::Snapshot;
use crate::labs::reason::score::{calls_calculator, readable, score};
use crate::labs::{LocalFuture, Training};
use crate::models::checkpoint;
use crate::models::gpt::Gpt;
use crate::settings::Params;
use burn::prelude::*;
use std::collections::BTreeSet;

pub struct EvalLab {
    /// Each model, its characters, and whether it calls the calculator.
    models: Vec<(Gpt, CharVocab, bool)>,
    problems: Vec<Problem>,
    /// Problems left out: a character outside a model's vocabulary.
    unreadable: usize,
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
        let mut names = Vec::new();
        for (file, hash) in &slots {
            let Ok(bytes) = files.get(file) else { continue };
            let info = checkpoint::info(bytes).map_err(|e| format!("The model file cannot be loaded: {e}."))?;
            let ck = checkpoint::decode(bytes)?;
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
                    all.extend(generate(&spec, n, params.u64("seed")?.wrapping_add(0xE7A1 + level as u64), &BTreeSet::new()));
                }
                all
            }
            "generated" => {
                // A seed no training run of this course uses for its problems.
                let spec = Spec { held_out: true, ..Spec::new(params.get("task")?, params.usize("level")?)? };
                generate(&spec, n, params.u64("seed")?.wrapping_add(0xE7A1), &BTreeSet::new())
            }
            set => {
                let name = if set == "gsm_symbolic" { GSM } else { PARARULE };
                let text = std::str::from_utf8(files.get(name)?).map_err(|_| format!("data/{name} is not UTF-8"))?;
                from_jsonl(text).0.into_iter().take(n).collect()
            }
        };
        // Every model must be able to read every problem scored.
        let mut problems = problems;
        let before = problems.len();
        for (_, vocab, _) in &models {
            problems = readable(problems, vocab).0;
        }
        if problems.is_empty() {
            return Err("No problem to score: every one has a character outside the model's vocabulary.".into());
        }
        let view = EvalView { columns: names.into_iter().map(|name| Column { name, rows: Vec::new() }).collect(), total: problems.len() };
        Ok(Self { unreadable: before - problems.len(), models, problems, view, due: 0, scored: 0, seconds: 0.0, compare, device: device.clone() })
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
        for (k, column) in self.view.columns.iter().enumerate() {
            let (right, total) = column.tally(None);
            let key = if k == 0 { "accuracy".to_string() } else { format!("accuracy_{}", letter(k)) };
            metrics.push((key, right as f64 / total.max(1) as f64));
        }
        if self.compare {
            for (k, (fixed, broke, _)) in self.view.changes().into_iter().enumerate() {
                metrics.extend([(format!("fixed_{}", letter(k + 1)), fixed as f64), (format!("broke_{}", letter(k + 1)), broke as f64)]);
            }
        }
        // Greedy writing with the KV cache, a batch per question length: each
        // model's questions over the time spent writing.
        if self.seconds > 0.0 {
            metrics.push(("questions_per_sec".into(), (self.scored * self.models.len()) as f64 / self.seconds));
        }
        let skipped = if self.unreadable > 0 { format!(" {} problems were left out: a character outside a model's vocabulary.", self.unreadable) } else { String::new() };
        let note = match self.models.len() {
            0 if self.compare => format!("{} problems ready. Pick the model the others are measured against with Use (usually the CoT model they were tuned from), then add the others with Add.", self.problems.len()),
            0 => format!("{} problems ready. Pick a model to score: train one in Day 23 or 24 (a finished run is kept in the list below) or import a file, then press Use (and Use as B for a second).", self.problems.len()),
            m => format!("{} problems, scored {CHUNK} a step by {m} model{}.{skipped}", self.problems.len(), if m == 1 { "" } else { "s" }),
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
