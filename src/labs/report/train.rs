//! Day 30's run: the models are read and the held-out sets generated when the
//! lab is built; each step marks the next CHUNK answers of one model on one
//! set due, and a snapshot writes what is due (greedy writing reads from the
//! device, which happens in snapshots only).

use super::{method, Answer, Column, Group, Member, ReportView, CHUNK};
use crate::data::chars::CharVocab;
use crate::data::files::{letter, other_model, DataFiles, MODEL};
use crate::data::reasoning::{check_chain, generate, tool, written_chain, Problem, Seen, Spec};
use crate::event::Snapshot;
use crate::labs::history::curves_in;
use crate::labs::reason::score::{readable, score};
use crate::labs::{LocalFuture, Training};
use crate::models::checkpoint;
use crate::models::gpt::Gpt;
use crate::settings::Params;
use burn::prelude::*;
use std::collections::BTreeSet;
use std::ops::Range;

/// Labs whose models answer week 4's problems.
const REASONERS: [&str; 5] = ["gpt-mini", "cot", "ppo", "dpo", "tools"];

/// Characters of the question the attention is drawn on, at most.
const ATTENTION_CHARS: usize = 40;

pub struct ReportLab {
    /// Each member's model (plain device) and characters.
    models: Vec<(Gpt, CharVocab)>,
    /// Each group's problems, the same for every model that sits it.
    problems: Vec<Vec<Problem>>,
    /// The work in order: a model (column) on a slice of a group's problems.
    units: Vec<(usize, usize, Range<usize>)>,
    /// Units due (steps taken) and written.
    due: usize,
    done: usize,
    /// Seconds spent writing answers, for questions/s.
    seconds: f64,
    /// Held-out problems that a member trained on: 0 when every file says what it trained on.
    in_training: usize,
    view: ReportView,
    device: Device,
}

impl ReportLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let n = params.usize("n")?;
        let names = std::iter::once(MODEL.to_string()).chain((0..).map(other_model).take_while(|name| files.get(name).is_ok()));
        let mut view = ReportView { n, ..Default::default() };
        let mut models = Vec::new();
        let mut groups = BTreeSet::new();
        // What any member trained on: no held-out set holds it.
        let mut seen = Seen::default();
        for (k, name) in names.enumerate() {
            let Ok(bytes) = files.get(&name) else { continue };
            let which = if k == 0 { "The first model".to_string() } else { format!("Model {}", k + 1) };
            let info = checkpoint::info(bytes).map_err(|e| format!("{which}'s file cannot be loaded: {e}."))?;
            if view.members.iter().any(|m| m.hash == info.hash) {
                continue;
            }
            let ck = checkpoint::decode(bytes)?;
            let trained = Seen::from_meta(&ck.meta).transpose().map_err(|e| format!("{which}'s file: {e}"))?;
            if let Some(t) = &trained {
                seen.extend(t);
            }
            let meta = |k: &str| ck.meta.get(k).filter(|v| !v.is_empty()).cloned();
            let number = |k: &str| ck.number(k);
            let task = meta("setting.task").zip(meta("setting.level").and_then(|l| l.parse().ok())).filter(|_| REASONERS.contains(&info.lab.as_str()));
            // The sets: its own task and difficulty, and a tuned model's easier one.
            if let Some((t, level)) = &task {
                groups.insert(Group { task: t.clone(), level: *level, tool: info.lab == "tools" });
                if let Some(easy) = meta("setting.easy_level").and_then(|v| v.parse::<usize>().ok()).filter(|&e| e > 0 && matches!(info.lab.as_str(), "ppo" | "dpo")) {
                    groups.insert(Group { task: t.clone(), level: easy, tool: false });
                }
            }
            view.members.push(Member {
                method: method(&info.lab, meta("setting.method").as_deref()),
                name: info.name,
                hash: info.hash,
                lab: info.lab,
                params: ck.values.iter().map(Vec::len).sum(),
                step: info.step,
                task,
                start: meta("start_hash").or_else(|| meta("setting.model")),
                knows_training: trained.is_some(),
                start_accuracy: number("start_accuracy"),
                accuracy: number("accuracy"),
                control_accuracy: number("control_accuracy"),
                val_loss: number("val_loss"),
                curves: curves_in(&ck.meta),
            });
            models.push((ck.to_model(device), CharVocab { chars: ck.vocab.clone() }));
        }
        // What the link names and did not come.
        let asked = std::iter::once(params.get("model")?).chain(params.get("models")?.split(',')).map(str::trim).filter(|h| !h.is_empty());
        let mut missing: Vec<String> = Vec::new();
        for hash in asked {
            if !view.members.iter().any(|m| m.hash == hash) && !missing.iter().any(|h| h == hash) {
                missing.push(hash.to_string());
            }
        }
        view.missing = missing;
        view.groups = groups.into_iter().collect();
        let seed = params.u64("seed")?;
        let mut problems = Vec::new();
        for g in &view.groups {
            let mut spec = Spec { held_out: true, ..Spec::new(&g.task, g.level)? };
            if g.tool {
                spec = spec.for_calculator();
            }
            // The seed eval and compare use, so that all three score the same
            // problems when given the same models (each leaves out what they trained on).
            problems.push(generate(&spec, n, seed.wrapping_add(0xE7A1 + g.level as u64), &seen));
        }
        view.sizes = problems.iter().map(Vec::len).collect();
        let in_training = problems.iter().map(|p| seen.count_in(p)).sum();
        for (i, m) in view.members.iter().enumerate().filter(|(_, m)| m.task.is_some()) {
            view.columns.push(Column { member: i, calculator: m.lab == "tools", label: m.short() });
            if m.lab == "tools" {
                view.columns.push(Column { member: i, calculator: false, label: format!("{}, calculator off", m.short()) });
            }
        }
        let mut units = Vec::new();
        for (g, group) in view.groups.iter().enumerate() {
            for (c, col) in view.columns.iter().enumerate() {
                let m = &view.members[col.member];
                let sits = m.task.as_ref().is_some_and(|t| t.0 == group.task) && group.tool == (m.lab == "tools");
                // Every model here reads week 4's characters; one that cannot sits nothing.
                if !sits || !readable(problems[g].clone(), &models[col.member].1).1.is_empty() {
                    continue;
                }
                view.answers.insert((g, c), Vec::new());
                units.extend((0..problems[g].len()).step_by(CHUNK).map(|from| (g, c, from..(from + CHUNK).min(problems[g].len()))));
            }
        }
        Ok(Self { models, problems, units, due: 0, done: 0, seconds: 0.0, in_training, view, device: device.clone() })
    }

    /// The first model's attention (its last block, every head) on a question
    /// of its set, or on its run's prompt for a text model.
    async fn attention(&mut self) -> Result<(), String> {
        let (Some(member), Some((model, vocab))) = (self.view.members.first(), self.models.first()) else { return Ok(()) };
        let question = self.view.groups.iter().position(|g| member.task.as_ref().is_some_and(|t| t.0 == g.task)).and_then(|g| self.problems[g].first()).map(|p| format!("{}\n", p.question));
        let text = question.unwrap_or_else(|| "To be, or not to be, that is the question".into());
        let text: String = text.chars().filter(|c| vocab.chars.binary_search(c).is_ok()).take(ATTENTION_CHARS.min(model.block_size())).collect();
        if text.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = vocab.encode(&text).into_iter().map(i64::from).collect();
        let t = ids.len();
        let idx = Tensor::<2, Int>::from_data(TensorData::new(ids.clone(), [1, t]), &self.device); // [1, T]
        let (_, attention) = model.streams(idx);
        let Some(last) = attention.last() else { return Ok(()) };
        let heads = last.dims()[1];
        let values = last.clone().into_data_async().await.map_err(|e| format!("reading the attention failed: {e:?}"))?; // [1, H, T, T]
        let values = values.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let maps = values.chunks(t * t).map(|head| head.chunks(t).map(<[f32]>::to_vec).collect()).collect();
        let chars = ids.iter().map(|&i| vocab.decode(&[i as u32])).collect();
        let what = format!("{}, its last block (of {}), its {heads} heads on “{}”: rows are the character asking, columns the one looked at (the causal mask keeps the upper right at 0).", member.short(), model.blocks.len(), text.replace('\n', "⏎"));
        self.view.attention = Some((chars, maps, what));
        Ok(())
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        if self.view.attention.is_none() && !self.models.is_empty() {
            self.attention().await?;
        }
        let started = web_time::Instant::now();
        while self.done < self.due.min(self.units.len()) {
            let (g, c, range) = self.units[self.done].clone();
            let col = &self.view.columns[c];
            let (model, vocab) = &self.models[col.member];
            let task = self.view.groups[g].task.clone();
            for s in score(model, vocab, &self.problems[g][range], col.calculator, &self.device).await? {
                let chain = written_chain(&s.output);
                let marks = match (chain.is_empty(), col.calculator) {
                    (true, _) => Vec::new(),
                    (false, true) => tool::check_chain(&task, &s.question, chain),
                    (false, false) => check_chain(&task, &s.question, chain).unwrap_or_default(),
                };
                self.view.answers.get_mut(&(g, c)).expect("a unit's pair is in the view").push(Answer { question: s.question, output: s.output, correct: s.correct, marks });
            }
            self.done += 1;
        }
        self.seconds += started.elapsed().as_secs_f64();
        let answered: usize = self.view.answers.values().map(Vec::len).sum();
        let mut metrics = vec![("step".to_string(), self.steps_done() as f64), ("models".into(), self.view.members.len() as f64), ("missing".into(), self.view.missing.len() as f64), ("answered".into(), answered as f64)];
        for c in 0..self.view.columns.len() {
            let (right, total) = (0..self.view.groups.len()).filter_map(|g| self.view.tally(g, c)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            if total > 0 {
                metrics.extend(crate::stats::accuracy_metrics(&format!("accuracy_{}", letter(c)), right, total));
            }
        }
        // The findings are written once, for their figure; the metric counts its rows.
        let figures = self.view.figures();
        let findings = figures.iter().find(|f| f.name == "findings").map_or(0, |f| match &f.plot {
            crate::figure::Plot::Table(t) => t.rows.len(),
            _ => 0,
        });
        metrics.push(("findings".into(), findings as f64));
        // Checked, not assumed: 0 unless a member's file does not say what it trained on.
        if self.view.members.iter().all(|m| m.knows_training) {
            metrics.push(("in_training".into(), self.in_training as f64));
        }
        if self.seconds > 0.0 && answered > 0 {
            metrics.push(("questions_per_sec".into(), answered as f64 / self.seconds));
        }
        let missing = if self.view.missing.is_empty() { String::new() } else { format!(" Missing here: {} (named by the link, not kept in this browser).", self.view.missing.join(", ")) };
        let note = match self.view.members.len() {
            0 => format!("No model yet: pick the first with Use in the list below, add the others with Add, then Run.{missing}"),
            k => format!("{k} model{}, {} held-out sets of up to {} problems, {answered} of {} answers written.{missing}", if k == 1 { "" } else { "s" }, self.view.groups.len(), self.view.n, self.units.iter().map(|u| u.2.len()).sum::<usize>()),
        };
        Ok(Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics, series: Vec::new(), note, figures })
    }
}

impl Training for ReportLab {
    fn step(&mut self) {
        self.due = (self.due + 1).min(self.total_steps());
    }
    fn steps_done(&self) -> usize {
        self.due
    }
    fn total_steps(&self) -> usize {
        self.units.len().max(1)
    }
    /// One unit between snapshots, so that each is written as it is due.
    fn max_chunk(&self) -> Option<usize> {
        Some(1)
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
}
