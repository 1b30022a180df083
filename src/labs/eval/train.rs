//! Day 25's run: the problems are read or generated when the lab is built;
//! each step marks the next CHUNK of them due, and a snapshot scores what is
//! due with every model (greedy writing needs reads from the device, which
//! happen in snapshots only).

use super::{Column, EvalView, CHUNK, GSM, PARARULE};
use crate::data::chars::CharVocab;
use crate::data::files::{DataFiles, MODEL, MODEL_B};
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
    device: Device,
}

impl EvalLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let mut models = Vec::new();
        let mut names = Vec::new();
        for (file, key) in [(MODEL, "model"), (MODEL_B, "model_b")] {
            let Ok(bytes) = files.get(file) else { continue };
            let info = checkpoint::info(bytes).map_err(|e| format!("The model file cannot be loaded: {e}."))?;
            let ck = checkpoint::decode(bytes)?;
            models.push((ck.to_model(device), CharVocab { chars: ck.vocab.clone() }, calls_calculator(&ck.meta)));
            let hash = params.get(key)?;
            names.push(format!("{} ({})", info.name, if hash.is_empty() { &info.hash } else { hash }));
        }
        let n = params.usize("n")?;
        let problems = match params.get("set")? {
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
        Ok(Self { unreadable: before - problems.len(), models, problems, view, due: 0, scored: 0, seconds: 0.0, device: device.clone() })
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
            let key = if k == 0 { "accuracy" } else { "accuracy_b" };
            metrics.push((key.into(), right as f64 / total.max(1) as f64));
        }
        // Greedy writing with the KV cache, a batch per question length: each
        // model's questions over the time spent writing.
        if self.seconds > 0.0 {
            metrics.push(("questions_per_sec".into(), (self.scored * self.models.len()) as f64 / self.seconds));
        }
        let skipped = if self.unreadable > 0 { format!(" {} problems were left out: a character outside a model's vocabulary.", self.unreadable) } else { String::new() };
        let note = match self.models.len() {
            0 => format!("{} problems ready. Pick a model to score: train one in Day 23 or 24 (a finished run is kept in the list below) or import a file, then press Use (and Use as B for a second).", self.problems.len()),
            m => format!("{} problems, scored {CHUNK} a step by {m} model{}.{skipped}", self.problems.len(), if m == 1 { "" } else { "s" }),
        };
        Ok(Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics, series: Vec::new(), note, figures: self.view.figures() })
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
