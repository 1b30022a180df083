//! What Days 26 and 27 share: the problems tuned on and scored, the model
//! being tuned and the frozen one it started from, the CoT warm-up that
//! trains a start when no kept model is picked, and the held-out scores.
//!
//! The edge of competence: a model that gets roughly half of the tuning
//! difficulty right (a short warm-up does it). An easier set (`easy_level`)
//! is scored beside, so that a gain at the edge is not paid for with a loss
//! on what the model already knew.

use super::control::Control;
use super::scores::Scores;
use crate::data::chars::CharVocab;
use crate::data::files::{DataFiles, MODEL};
use crate::data::reasoning::{generate, seen, steps_right, vocab, written_chain, Problem, Seen, Spec};
use crate::event::{Series, Snapshot};
use crate::labs::history::History;
use crate::figure::Figure;
use crate::labs::reason::score::score;
use crate::labs::reason::{Format, ReasonLab};
use crate::labs::Training;
use crate::models::checkpoint;
use crate::models::gpt::{Gpt, GptConfig};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::prelude::*;

/// Held-out problems scored at each evaluation, per set.
const HELD_OUT: usize = 200;
/// Warming up to the edge: steps between checks, and the band of held-out
/// accuracy that counts as the edge (the check's 100 problems are the
/// warm-up's own held-out set, not the one tuning is scored on).
const EDGE_EVERY: usize = 50;
const EDGE: (f64, f64) = (0.3, 0.7);
/// pass@k at the start and the end: `PASS_K` answers at temperature 1 to
/// each of the first `PASS_N` held-out questions.
pub(super) const PASS_K: usize = 8;
const PASS_N: usize = 100;

pub struct Tune {
    pub params: Params,
    pub vocab: CharVocab,
    pub config: Option<GptConfig>,
    pub train: Vec<Problem>,
    /// Training problems of the easier difficulties, drawn `easier_share` of the time.
    easier: Vec<Problem>,
    easier_share: f64,
    pub val: Vec<Problem>,
    /// Problems of the easier difficulty, when one is asked for; empty otherwise.
    pub easy: Vec<Problem>,
    /// The CoT model being trained first, when no kept model was given.
    warm: Option<Box<ReasonLab>>,
    /// The kept start's content hash (none for a warm-up's start).
    start_hash: Option<String>,
    /// The start's training questions and those drawn for tuning; `None`
    /// when the start's file does not say what it trained on.
    seen: Option<Seen>,
    pub warm_steps: usize,
    /// Warm up until the edge (30–70 % held out), not for a fixed number of steps.
    edge: bool,
    /// What the warm-up reached: its held-out accuracy and steps, once done.
    warmed: Option<(f64, usize)>,
    /// The model being tuned (autodiff device); absent while warming up.
    pub model: Option<Gpt>,
    /// The model tuning started from, frozen (plain device).
    pub reference: Option<Gpt>,
    pub last_good: Option<Gpt>,
    /// The same start fine-tuned on the right chains of the same questions.
    control: Option<Control>,
    /// The held-out scores so far.
    scores: Scores,
    pub rng: Rng,
    pub step: usize,
    pub steps: usize,
    /// The lab's own latest metrics (the scores are added at each snapshot).
    pub metrics: Vec<(String, f64)>,
    last_eval: Option<usize>,
    pub figures: Vec<Figure>,
    /// The tuning curves, kept in the tuned model's file for the report (Day 30).
    history: History,
    /// Whether the page was told when the figures drawn while tuning come.
    told: bool,
    pub device: Device,
    pub plain: Device,
}

impl Tune {
    pub fn new(params: &Params, device: &Device, files: &DataFiles, salt: u64) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let level = params.usize("level")?;
        let spec = Spec::new(params.get("task")?, level)?;
        let easy_level = params.usize("easy_level")?;
        if easy_level >= level {
            return Err(format!("The easier set's difficulty ({easy_level}) must be below the tuning difficulty ({level}), or 0 for none."));
        }
        let vocab = vocab();
        let plain = device.clone();
        let device = device.clone().autodiff();
        // The start first: a kept model, or a CoT warm-up trained here. What
        // it trained on is held out of both scored sets.
        let (mut warm, mut model, mut config, mut start_hash) = (None, None, None, None);
        let start_seen = match files.get(MODEL) {
            Ok(bytes) => {
                let ck = checkpoint::decode(bytes).map_err(|e| format!("The model file cannot be loaded: {e}."))?;
                if ck.vocab != vocab.chars {
                    return Err("The model was trained on other characters than week 4's problems: pick a CoT model.".into());
                }
                model = Some(ck.to_model(&device));
                config = Some(ck.config);
                start_hash = Some(checkpoint::content_hash(bytes));
                Seen::from_meta(&ck.meta).transpose()?
            }
            Err(_) => {
                let lab = ReasonLab::new(Format::Cot, &warmup_params(params, level)?, &plain, &DataFiles::default())?;
                let seen = lab.seen().clone();
                warm = Some(Box::new(lab));
                Some(seen)
            }
        };
        let none = Seen::default();
        let val = generate(&spec, HELD_OUT, seed.wrapping_add(5_000), start_seen.as_ref().unwrap_or(&none));
        let easy = if easy_level > 0 { generate(&Spec::new(spec.task, easy_level)?, HELD_OUT, seed.wrapping_add(6_000), start_seen.as_ref().unwrap_or(&none)) } else { Vec::new() };
        if val.is_empty() {
            return Err(format!("Every {} problem of difficulty {level} was in the start model's training: pick a higher difficulty.", spec.task));
        }
        // Tuning questions are apart from both held-out sets, swapped twins included.
        let mut exclude = Seen::of(&val);
        exclude.add_all(&easy);
        let train = generate(&spec, 20_000, seed.wrapping_add(4_000), &exclude);
        if train.is_empty() {
            return Err(format!("{} at difficulty {} has too few distinct problems to hold some out: pick a higher difficulty.", spec.task, spec.level));
        }
        // The easier difficulties' training problems, apart from both held-out sets.
        let easier_share = params.f64("easier")?;
        let mut easier = Vec::new();
        if easier_share > 0.0 {
            for lower in 1..level {
                easier.extend(generate(&Spec::new(spec.task, lower)?, 5_000, seed.wrapping_add(7_000 + lower as u64), &exclude));
            }
        }
        let warm_steps = warm.as_ref().map_or(0, |w| w.total_steps());
        let mut tune = Tune {
            params: params.clone(),
            vocab,
            config,
            train,
            easier,
            easier_share,
            val,
            easy,
            warm,
            warm_steps,
            edge: params.get("warmup_to")? == "edge",
            warmed: None,
            start_hash,
            seen: start_seen,
            model: None,
            reference: None,
            last_good: None,
            control: None,
            scores: Scores::default(),
            rng: Rng::new(seed ^ salt),
            step: 0,
            steps: params.usize("steps")?,
            metrics: Vec::new(),
            last_eval: None,
            figures: Vec::new(),
            history: History::default(),
            told: false,
            device,
            plain,
        };
        if let Some(m) = model.take() {
            tune.begin(m);
        }
        Ok(tune)
    }

    /// Tuning starts from `model`: it becomes the frozen reference too.
    fn begin(&mut self, model: Gpt) {
        self.reference = Some(model.valid());
        self.last_good = Some(model.clone());
        self.control = Some(Control::new(&model));
        self.model = Some(model);
    }

    pub fn model(&self) -> &Gpt {
        self.model.as_ref().expect("the model is present between steps")
    }

    pub fn warming(&self) -> bool {
        self.warm.is_some()
    }

    /// One warm-up step; false once tuning has begun (nothing was done).
    pub fn warm_step(&mut self) -> bool {
        let Some(warm) = self.warm.as_mut() else { return false };
        if !warm.is_done() {
            warm.step();
        }
        true
    }

    pub fn steps_done(&self) -> usize {
        self.warm.as_ref().map_or(self.warm_steps + self.step, |w| w.steps_done())
    }

    /// The learning rate of the next update, raised linearly over the first
    /// 10 updates of the policy from step `from` on: a fresh AdamW's first
    /// steps move every weight by the full rate whatever its gradient (a KL
    /// of 4 per character after two steps at 0.0003 without it, BENCHMARKS.md).
    pub fn lr(&self, from: usize) -> f64 {
        self.params.f64("lr").unwrap_or(1e-4) * ((self.step.saturating_sub(from) + 1) as f64 / 10.0).min(1.0)
    }

    /// A training question: of the tuning difficulty, or an easier one `easier_share` of the time.
    pub fn question(&mut self) -> Problem {
        let easier = !self.easier.is_empty() && (self.rng.below(1_000_000) as f64) < self.easier_share * 1e6;
        let set = if easier { &self.easier } else { &self.train };
        let p = set[self.rng.below(set.len() as u64) as usize].clone();
        if let Some(seen) = self.seen.as_mut() {
            seen.add(&p.question);
        }
        if let Some(control) = self.control.as_mut() {
            control.saw(&p);
        }
        p
    }

    /// The control's `updates` for this step's questions, at this step's
    /// rate (`from`: the step the tuned model's rate rises from).
    pub fn control_step(&mut self, updates: usize, learns: bool, from: usize) {
        let lr = self.lr(from);
        if let Some(control) = self.control.as_mut() {
            control.update(updates, learns, lr, &self.vocab, &self.device);
        }
    }

    pub fn total_steps(&self) -> usize {
        self.warm_steps + self.steps
    }

    /// After the warm-up, one update between snapshots: each needs answers
    /// drawn by the model the last one left.
    pub fn max_chunk(&self) -> Option<usize> {
        match (self.warming(), self.edge) {
            (false, _) => Some(1),
            // A snapshot at each check: the warm-up stops at the first that finds the edge.
            (true, true) => Some(EDGE_EVERY),
            (true, false) => None,
        }
    }

    pub fn done(&self) -> bool {
        self.step >= self.steps
    }

    /// The warm-up's snapshot, passed on with its loss curve only; `figures`
    /// are the tuning figures, told when they will come. Once the warm-up is
    /// done, tuning begins from its model.
    pub async fn read_warmup(&mut self, figures: &[&str]) -> Result<Snapshot, String> {
        let warm = self.warm.as_mut().expect("warming up");
        let mut snap = warm.read().await?;
        snap.series.retain(|s| s.name == "train_loss");
        snap.figures.clear();
        if !std::mem::replace(&mut self.told, true) {
            let when = format!("Drawn once the warm-up's {} steps are done.", self.warm_steps);
            snap.figures = figures.iter().map(|f| Figure::empty(f, when.clone())).collect();
        }
        snap.total_steps = self.warm_steps + self.steps;
        let last = warm.last_accuracy();
        snap.note = match (self.edge, last) {
            (true, Some((acc, at))) => format!("Warm-up: a CoT model trained until it gets {:.0}–{:.0} % of its held-out problems right (no kept model picked), at most {} steps; at step {at} it got {:.1} %. Tuning starts after it.", 100.0 * EDGE.0, 100.0 * EDGE.1, self.warm_steps, 100.0 * acc),
            _ => format!("Warm-up: a CoT model trained for {} steps first (no kept model picked), step {} of them. Tuning starts after it.", self.warm_steps, snap.step),
        };
        let at_edge = self.edge && last.is_some_and(|(acc, at)| acc >= EDGE.0 && at == warm.steps_done());
        if warm.is_done() || at_edge {
            self.warmed = last;
            self.warm_steps = warm.steps_done();
            snap.total_steps = self.warm_steps + self.steps;
            let warm = self.warm.take().expect("warming up");
            let (model, config) = warm.into_model();
            self.config = Some(config);
            self.begin(model);
        }
        Ok(snap)
    }

    async fn exact(&self, problems: &[Problem]) -> Result<Vec<bool>, String> {
        Ok(self.exact_of(self.model(), problems).await?.0)
    }

    /// Each problem right or wrong, and the share of the chains' steps the
    /// checker accepts, all steps pooled as the cot lab counts them (the
    /// reasoning, beside the answers).
    async fn exact_of(&self, model: &Gpt, problems: &[Problem]) -> Result<(Vec<bool>, f64), String> {
        let scored = score(&model.valid(), &self.vocab, problems, false, &self.plain).await?;
        let (ok, all) = scored.iter().zip(problems).filter_map(|(s, p)| steps_right(p, written_chain(&s.output))).fold((0, 0), |(a, b), (ok, all)| (a + ok, b + all));
        Ok((scored.iter().map(|s| s.correct).collect(), ok as f64 / all.max(1) as f64))
    }

    /// Greedy exact match on the held-out problems (and the easier ones),
    /// at the start, every `eval_every` steps and at the end.
    pub async fn evaluate_if_due(&mut self, series: &mut Vec<Series>) -> Result<(), String> {
        let every = self.params.usize("eval_every")?;
        if !self.last_eval.is_none_or(|at| self.step >= at + every || (self.done() && at != self.step)) {
            return Ok(());
        }
        let (acc, steps) = self.exact_of(self.model(), &self.val).await?;
        let sc = &mut self.scores;
        sc.steps_share = Some((steps, sc.steps_share.map_or(steps, |s| s.1)));
        series.push(Series { name: "accuracy".into(), points: vec![(self.step as u32, share(&acc) as f32)] });
        let start = self.scores.accuracy.take().map_or_else(|| acc.clone(), |a| a.1);
        // pass@1 and pass@k where tuning starts and where it ends, with a draw of their own.
        if self.scores.pass_start.is_none() || self.done() {
            let mut rng = Rng::new(self.params.u64("seed")? ^ 0x9A55);
            let n = PASS_N.min(self.val.len());
            self.scores.pass_n = n;
            let pass = super::pass::pass_at_k(&self.model().valid(), &self.val[..n], PASS_K, &self.vocab, &mut rng, &self.plain).await?;
            if self.scores.pass_start.is_none() { self.scores.pass_start = Some(pass) } else { self.scores.pass_end = Some(pass) }
        }
        if let Some(control) = &self.control {
            let (marks, steps) = self.exact_of(control.model(), &self.val).await?;
            self.scores.control_steps = Some(steps);
            series.push(Series { name: "accuracy:control".into(), points: vec![(self.step as u32, share(&marks) as f32)] });
            self.scores.control_marks = Some(marks);
        }
        self.scores.accuracy = Some((acc, start));
        if !self.easy.is_empty() {
            let easy = self.exact(&self.easy).await?;
            series.push(Series { name: "easy_accuracy".into(), points: vec![(self.step as u32, share(&easy) as f32)] });
            let start = self.scores.easy_accuracy.take().map_or_else(|| easy.clone(), |a| a.1);
            self.scores.easy_accuracy = Some((easy, start));
        }
        self.last_eval = Some(self.step);
        Ok(())
    }

    /// A snapshot with the lab's metrics, the scores and `note`, the score
    /// against the start added to it.
    pub fn snapshot(&mut self, series: Vec<Series>, note: String) -> Snapshot {
        let mut metrics = vec![("step".to_string(), (self.warm_steps + self.step) as f64)];
        metrics.extend(self.metrics.iter().cloned());
        let mut note = note;
        self.scores.report(&mut metrics, &mut note);
        if self.seen.is_none() {
            note += " The start's file does not say what it trained on, so the held-out problems may hold some of its training questions.";
        }
        if let (true, Some((acc, at))) = (self.edge, self.warmed) {
            metrics.extend([("warmup_steps".to_string(), at as f64), ("warmup_accuracy".to_string(), acc)]);
            let (lo, hi) = EDGE;
            let said = if acc < lo { "short of the edge" } else if acc > hi { "past the edge" } else { "at the edge" };
            note += &format!(" Its start: a warm-up of {at} steps, {:.1} % on the warm-up's own held-out problems ({said}: {:.0}–{:.0} %).", 100.0 * acc, 100.0 * lo, 100.0 * hi);
        }
        self.history.record(&series);
        Snapshot { step: self.warm_steps + self.step, total_steps: self.warm_steps + self.steps, metrics, series, note, figures: std::mem::take(&mut self.figures) }
    }

    /// The tuned model as a file; `lab` names the lab that tuned it.
    pub async fn save(&self, lab: &str) -> Result<Vec<u8>, String> {
        let (Some(model), Some(config)) = (self.model.as_ref(), self.config.as_ref()) else { return Err("no model yet: the warm-up is still training".into()) };
        let curves = self.history.to_meta();
        let sc = &self.scores;
        let mut extra: Vec<(&str, String)> = sc.accuracy.iter().map(|a| ("accuracy", share(&a.0).to_string())).collect();
        extra.extend(sc.accuracy.iter().map(|a| ("start_accuracy", share(&a.1).to_string())));
        extra.extend(sc.control_marks.iter().map(|c| ("control_accuracy", share(c).to_string())));
        extra.extend(self.warmed.map(|(acc, at)| ("warmup_accuracy", format!("{acc} at step {at}"))));
        extra.extend(curves.iter().map(|(k, v)| (k.as_str(), v.clone())));
        extra.extend(self.seen.as_ref().map(|s| (seen::META, s.encode())));
        // The report names a start by this hash, and by nothing else.
        extra.extend(self.start_hash.clone().map(|h| ("start_hash", h)));
        checkpoint::save(&model.valid(), config, &self.vocab.chars, lab, &self.params, self.warm_steps + self.step, &extra).await
    }
}

/// The share of trues.
pub(super) fn share(right: &[bool]) -> f64 {
    right.iter().filter(|&&x| x).count() as f64 / right.len().max(1) as f64
}

/// The warm-up's settings: the cot lab's own defaults, on every difficulty
/// up to the tuning one, for `warmup` steps.
fn warmup_params(params: &Params, level: usize) -> Result<Params, String> {
    let schema = crate::labs::schema("cot");
    let mut p = Params::defaults(&schema);
    let warmup = params.usize("warmup")?.max(1).to_string();
    for key in ["task", "layers", "width", "seed"] {
        p.set(&schema, key, params.get(key)?)?;
    }
    // To the edge: scored every EDGE_EVERY steps on 100 problems; else at the start and the end, on 20.
    let (every, n) = if params.get("warmup_to")? == "edge" { (EDGE_EVERY.to_string(), "100") } else { ("100000".to_string(), "20") };
    for (key, value) in [("level", level.to_string().as_str()), ("steps", warmup.as_str()), ("eval_every", every.as_str()), ("eval_n", n), ("positions", "rope"), ("mix", "yes")] {
        p.set(&schema, key, value)?;
    }
    Ok(p)
}
