//! Days 23 and 24's training: the GPT on problems of one task, each row one
//! problem padded to the longest of its batch, the loss on what follows the
//! question only (padding targets are skipped); AdamW (or Muon on the blocks'
//! matrices) with warm-up and cosine decay. Every `eval_every` steps, greedy answers to the held-out problems
//! are scored. Day 28's `tools` trains the same way on chains that call a
//! calculator, with the calculator's results left out of the loss, and writes
//! with the calculator answering each call (and, to compare, without it).

use super::decode::{greedy_with, Calculator};
use super::rows::{batch, gapped_positions, picks, row_text, Row};
use super::{errors_table, written_figure, Format, Written};
use crate::data::chars::CharVocab;
use crate::data::files::{DataFiles, MODEL, RESUME};
use crate::data::reasoning::{check_chain, generate, same_answer, seen, tool, vocab, written_answer, written_chain, Problem, Seen, Spec, PAD};
use crate::event::{Series, Snapshot};
use crate::labs::history::History;
use crate::figure::{Figure, Plot};
use crate::labs::gpt::learning_rate_to;
use crate::labs::{LocalFuture, Training};
use crate::models::checkpoint;
use crate::models::gpt::{lm_loss_ignoring, Gpt, GptConfig, Positions};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::optim::{AdamWConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use std::collections::BTreeSet;
use std::ops::Range;

/// A held-out set scored beside the main one.
struct Extra {
    metric: &'static str,
    /// What sets it apart, as the note says it.
    what: String,
    set: Vec<Problem>,
    accuracy: Option<f64>,
}

/// How many held-out problems the page writes out.
const WRITTEN: usize = 3;
/// How many wrong answers the table lists.
const WRONG: usize = 12;

/// What one pass of writing a set found.
struct Answers {
    written: Vec<Written>,
    /// The share of checked steps that check (chains only).
    step_accuracy: Option<f64>,
    /// Calls made and calls refused (with the calculator).
    calls: (usize, usize),
}

pub struct ReasonLab {
    format: Format,
    /// Whether the model writes a chain (CoT and tools).
    cot: bool,
    lab: &'static str,
    params: Params,
    config: GptConfig,
    vocab: CharVocab,
    train: Vec<Row>,
    /// Where each batch's rows are drawn from, in turn: all of `train`, or
    /// with batches by difficulty, one difficulty's rows each.
    parts: Vec<Range<usize>>,
    val: Vec<Problem>,
    /// Every question this model has trained on, its start's included: kept
    /// in its file, so that later test sets leave them out.
    seen: Seen,
    /// The start model's file did not say what it trained on.
    start_unknown: bool,
    /// More held-out sets, each scored beside `val`: another difficulty
    /// (`test_level`), and for word problems the held-out sentence templates.
    extra: Vec<Extra>,
    block: usize,
    /// Position gaps after a step's end while training (0: none): the step
    /// they begin at on `gaps_share` percent of the rows, the step from which
    /// every row has them, and the ids of the characters that end a step.
    gaps: usize,
    gaps_from: usize,
    gaps_share: u64,
    gaps_all: usize,
    gap_after: Vec<i64>,
    model: Option<Gpt>,
    optim: ModuleOptimizer,
    lr: f64,
    /// The rate at the last step, as a share of `lr`.
    lr_end: f64,
    steps: usize,
    batch: usize,
    eval_every: usize,
    shown: usize,
    rng: Rng,
    step: usize,
    pending: Vec<Tensor<1>>,
    /// The curves so far, kept in the model's file for the report (Day 30).
    history: History,
    train_loss: Option<f32>,
    accuracy: Option<f64>,
    step_accuracy: Option<f64>,
    /// Tools: the share of calls the calculator could evaluate, and the
    /// accuracy of the same model writing its own results.
    calls_parsed: Option<f64>,
    no_tool_accuracy: Option<f64>,
    last_eval: Option<usize>,
    all_written: Vec<Written>,
    /// The written problems changed (an evaluation, another problem shown):
    /// their figures go out with the next snapshot, and only then.
    redraw: bool,
    /// Whether it started from a model file.
    loaded: bool,
    device: Device,
    plain: Device,
}

impl ReasonLab {
    pub fn new(format: Format, params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let mut spec = Spec::new(params.get("task")?, params.usize("level")?)?;
        if format == Format::Tool {
            if !tool::TASKS.contains(&spec.task) {
                return Err(format!("The calculator has nothing to compute in {} problems: pick one of {}.", spec.task, tool::TASKS.join(", ")));
            }
            spec = spec.for_calculator();
        }
        // With `mix`, every difficulty up to the chosen one, in equal shares.
        let levels = if params.get("mix")? == "yes" { 1..=spec.level } else { spec.level..=spec.level };
        let (n, share) = (params.usize("train_n")?, levels.clone().count());
        let mut train = Vec::new();
        let mut exclude = BTreeSet::new();
        let mut parts = Vec::new();
        for (i, level) in levels.enumerate() {
            let part = generate(&Spec { level, level_b: spec.level_b.min(level), ..spec }, n / share + (i < n % share) as usize, seed.wrapping_add(i as u64 * 7_919), &exclude);
            exclude.extend(part.iter().map(|p| p.question.clone()));
            parts.push(train.len()..train.len() + part.len());
            train.extend(part);
        }
        // A difficulty with no problem left to draw would have no batch.
        parts.retain(|p| !p.is_empty());
        if params.get("batches")? == "mixed" || parts.is_empty() {
            parts = vec![0..train.len()];
        }
        // The start model's training questions and these: no held-out set has any (nor a swapped twin).
        let start = files.get(MODEL).ok().map(checkpoint::decode).transpose().map_err(|e| format!("The model file cannot be loaded: {e}."))?;
        let record = start.as_ref().map(|ck| Seen::from_meta(&ck.meta));
        let start_unknown = matches!(record, Some(None));
        let mut seen = record.flatten().transpose()?.unwrap_or_default();
        seen.add_all(&train);
        let eval_n = params.usize("eval_n")?;
        let val = generate(&spec, eval_n, seed.wrapping_add(1_000), &seen);
        let mut extra = Vec::new();
        if spec.task == "word" {
            let set = generate(&Spec { held_out: true, ..spec }, eval_n, seed.wrapping_add(3_000), &seen);
            extra.push(Extra { metric: "template_accuracy", what: "with a sentence template never trained".into(), set, accuracy: None });
        }
        if let level @ 1.. = params.usize("test_level")? {
            let set = generate(&Spec { level, level_b: spec.level_b.min(level), ..spec }, eval_n, seed.wrapping_add(2_000), &seen);
            extra.push(Extra { metric: "test_accuracy", what: format!("of difficulty {level}"), set, accuracy: None });
        }
        let vocab = vocab();
        let rows: Vec<Row> = train.iter().map(|p| Row::new(format, p, &vocab)).collect();
        // GPT-mini makes room for the chain, so that it can go on to learn
        // chains (and both labs have the same parameters).
        let room = if format == Format::Tool { Format::Tool } else { Format::Cot };
        let longest = train.iter().chain(&val).chain(extra.iter().flat_map(|e| &e.set)).map(|p| row_text(room, p).chars().count()).max().unwrap_or(8);
        // A model that could not be loaded back is not trained.
        if longest > checkpoint::MAX_CONTEXT {
            return Err(format!("These problems take up to {longest} characters; a model here reads at most {}: pick a lower difficulty.", checkpoint::MAX_CONTEXT));
        }
        let plain = device.clone();
        let device = device.clone().autodiff();
        // A checkpoint of this very run (the page's resume) goes on at its step.
        let (mut resumed_at, mut history) = (None, History::default());
        let (config, model) = match start {
            Some(ck) => {
                if files.get(RESUME).is_ok() {
                    resumed_at = ck.meta.get("step").and_then(|s| s.parse::<usize>().ok());
                    history = History::from_meta(&ck.meta, resumed_at.unwrap_or(0));
                }
                if ck.vocab != vocab.chars {
                    return Err("The model was trained on other characters than week 4's problems: start from a GPT-mini or CoT model.".into());
                }
                if ck.config.block_size < longest {
                    return Err(format!("The model reads {} characters at most; these problems need {longest}: pick an easier task or a new model.", ck.config.block_size));
                }
                (ck.config.clone(), ck.to_model(&device))
            }
            None => {
                let (layers, heads, width) = (params.usize("layers")?, params.usize("heads")?, params.usize("width")?);
                if width % heads != 0 {
                    return Err(format!("Width {width} does not split into {heads} heads: pick a width that is a multiple of it."));
                }
                // Room for the longest problem, rounded up to a multiple of 8.
                let positions = match params.get("positions")? {
                    "rope" => Positions::Rope,
                    "none" => Positions::None,
                    _ => Positions::Learned,
                };
                let config = GptConfig::new(vocab.len(), longest.div_ceil(8) * 8, layers, heads, width).with_positions(positions).with_seed(seed);
                let model = config.init(&device);
                (config, model)
            }
        };
        let gaps = params.usize("gaps")?;
        if gaps > 0 && config.positions != Positions::Rope {
            return Err("Position gaps need RoPE: set Positions to rope (a kept model must have been trained with it).".into());
        }
        let optim = crate::labs::gpt::optimizer(&model, params.get("optimizer")?, AdamWConfig::new().with_beta_2(0.99), 0.1);
        Ok(Self {
            gaps,
            gaps_from: params.usize("gaps_from")?,
            gaps_share: params.usize("gaps_share")? as u64,
            gaps_all: params.usize("gaps_all")?,
            gap_after: vocab.encode(";|\n").into_iter().map(i64::from).collect(),
            format,
            cot: format != Format::Plain,
            lab: match format {
                Format::Plain => "gpt-mini",
                Format::Cot => "cot",
                Format::Tool => "tools",
            },
            params: params.clone(),
            block: config.block_size,
            config,
            vocab,
            train: rows,
            parts,
            val,
            seen,
            start_unknown,
            extra,
            model: Some(model),
            optim,
            lr: params.f64("lr")?,
            lr_end: params.f64("lr_end")?,
            steps: params.usize("steps")?,
            batch: params.usize("batch")?,
            eval_every: params.usize("eval_every")?,
            shown: params.usize("shown")?.saturating_sub(1),
            rng: Rng::new(seed ^ 0xC07 ^ ((resumed_at.unwrap_or(0) as u64) << 24)),
            step: resumed_at.unwrap_or(0),
            pending: Vec::new(),
            history,
            train_loss: None,
            accuracy: None,
            step_accuracy: None,
            calls_parsed: None,
            no_tool_accuracy: None,
            last_eval: None,
            all_written: Vec::new(),
            redraw: false,
            loaded: files.get(MODEL).is_ok(),
            device,
            plain,
        })
    }

    /// Held-out accuracy at the last evaluation, and the step it was taken at.
    pub fn last_accuracy(&self) -> Option<(f64, usize)> {
        self.accuracy.zip(self.last_eval)
    }

    /// Every question the model has trained on (its start's included).
    pub fn seen(&self) -> &Seen {
        &self.seen
    }

    /// The trained model and its config, for a lab that goes on from it
    /// (Day 26 trains a CoT model first when none is kept).
    pub fn into_model(mut self) -> (Gpt, GptConfig) {
        (self.model.take().expect("the model is present between steps"), self.config)
    }

    fn model(&self) -> &Gpt {
        self.model.as_ref().expect("the model is present between steps")
    }

    /// Greedy answers to a set of problems, with the calculator answering
    /// calls when `calculator` is set.
    async fn answer(&self, set: &[Problem], calculator: bool) -> Result<Answers, String> {
        let model = self.model().valid();
        let id = |c: &str| self.vocab.encode(c)[0] as i64;
        let prompts: Vec<Vec<i64>> = set.iter().map(|p| self.vocab.encode(&format!("{}\n", p.question)).into_iter().map(i64::from).collect()).collect();
        let calculator_ = Calculator::new(&self.vocab);
        let calc = |row: &[(i64, f32)]| calculator_.answer(row);
        let outputs = greedy_with(&model, &prompts, self.block, id("\n"), id("="), calculator.then_some(&calc as _), &self.plain).await?;
        let (mut steps_ok, mut steps_all) = (0, 0);
        let mut all = Vec::new();
        for (p, out) in set.iter().zip(outputs) {
            let chars: Vec<(char, f32)> = out.iter().map(|&(i, pr)| (self.vocab.chars[i as usize], pr)).collect();
            let written: String = chars.iter().map(|c| c.0).collect();
            let answer = written_answer(&written).map(str::to_string);
            let correct = answer.as_deref().is_some_and(|a| same_answer(a, &p.answer));
            let mut steps = Vec::new();
            if self.cot {
                let chain = written_chain(&written);
                let marks = if self.format == Format::Tool { tool::check_chain(&p.task, &p.question, chain) } else { check_chain(&p.task, &p.question, chain).unwrap_or_default() };
                steps = chain.split(';').map(String::from).zip(marks).collect();
                steps_ok += steps.iter().filter(|s| s.1).count();
                let want = if self.format == Format::Tool { tool::chain(p) } else { p.chain.clone() };
                steps_all += want.map_or(0, |c| c.split(';').count()).max(steps.len());
            }
            let calls = if calculator { tool::calls(&written) } else { Vec::new() };
            all.push(Written { question: p.question.clone(), expected: p.answer.clone(), chars, answer, correct, steps, calls });
        }
        Ok(Answers { written: all, step_accuracy: self.cot.then(|| steps_ok as f64 / steps_all.max(1) as f64), calls: (calculator_.calls.get(), calculator_.refused.get()) })
    }

    /// The held-out problems (and the extra sets), scored.
    async fn evaluate(&mut self) -> Result<(), String> {
        let share = |w: &[Written]| w.iter().filter(|w| w.correct).count() as f64 / w.len().max(1) as f64;
        let tool = self.format == Format::Tool;
        let answers = self.answer(&self.val, tool).await?;
        self.accuracy = Some(share(&answers.written));
        self.step_accuracy = answers.step_accuracy;
        self.all_written = answers.written;
        let mut calls = answers.calls;
        for i in 0..self.extra.len() {
            let answers = self.answer(&self.extra[i].set, tool).await?;
            self.extra[i].accuracy = Some(share(&answers.written));
            calls = (calls.0 + answers.calls.0, calls.1 + answers.calls.1);
        }
        if tool {
            self.calls_parsed = (calls.0 > 0).then(|| 1.0 - calls.1 as f64 / calls.0 as f64);
            // The same model, the calculator switched off: it must write each
            // result itself, characters it was never trained to write.
            self.no_tool_accuracy = Some(share(&self.answer(&self.val, false).await?.written));
        }
        self.last_eval = Some(self.step);
        self.redraw = true;
        Ok(())
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        let mut series = Vec::new();
        let points = crate::labs::drain_losses(&mut self.pending, self.step, self.lr).await?;
        if let Some(&(_, last)) = points.last() {
            self.train_loss = Some(last);
            series.push(Series { name: "train_loss".into(), points });
        }
        let done = self.step >= self.steps;
        if self.last_eval.is_none_or(|at| self.step >= at + self.eval_every || (done && at != self.step)) {
            self.evaluate().await?;
            series.push(Series { name: "accuracy".into(), points: vec![(self.step as u32, self.accuracy.unwrap_or(0.0) as f32)] });
        }
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        metrics.extend(self.train_loss.map(|l| ("train_loss".to_string(), l as f64)));
        // Each accuracy with its interval: the share of a set of n, as a count.
        let with_n = |name: &str, share: f64, n: usize| crate::stats::share_metrics(name, share, n);
        metrics.extend(self.accuracy.map(|a| with_n("accuracy", a, self.val.len())).into_iter().flatten());
        // Steps of one chain are not independent: n is the problems they come from.
        metrics.extend(self.step_accuracy.map(|a| with_n("step_accuracy", a, self.val.len())).into_iter().flatten());
        metrics.extend(self.extra.iter().filter_map(|e| Some(with_n(e.metric, e.accuracy?, e.set.len()))).flatten());
        metrics.extend(self.no_tool_accuracy.map(|a| with_n("no_tool_accuracy", a, self.val.len())).into_iter().flatten());
        metrics.extend(self.calls_parsed.map(|a| ("calls_parsed".to_string(), a)));
        metrics.push(("params".into(), self.model().num_params() as f64));
        metrics.push(("context".into(), self.block as f64));
        let level = self.params.usize("level")?;
        let extra: String = self.extra.iter().filter_map(|e| Some(format!(", and {} {}: {:.1} % right", e.set.len(), e.what, 100.0 * e.accuracy?))).collect();
        let note = format!(
            "{} training problems{}, {} held out (another seed, none of the training questions nor their swapped twins){}; each row is one problem, padded to the longest of its batch (at most {} characters), and the loss counts only what follows the question. {}{}",
            self.train.len(),
            if self.params.get("mix")? == "yes" && level > 1 { format!(" of difficulty 1 to {level}") } else { String::new() },
            self.val.len(),
            extra,
            self.block,
            match self.format {
                Format::Plain => "The model writes the answer straight away.".to_string(),
                Format::Cot => "The model writes its chain, then the answer.".to_string(),
                Format::Tool => format!(
                    "The model writes its chain with calls, then the answer; the calculator writes each call's result (left out of the loss){}{}.",
                    self.calls_parsed.map(|c| format!("; {:.1} % of calls evaluated", 100.0 * c)).unwrap_or_default(),
                    self.no_tool_accuracy.map(|a| format!("; switched off, the same model gets {:.1} % right", 100.0 * a)).unwrap_or_default()
                ),
            },
            if self.loaded { format!(" Started from a kept model ({} × {}: blocks × width){}.", self.config.n_layer, self.config.n_embd, if self.start_unknown { "; its file does not say what it trained on, so the held-out problems may hold some of its training questions" } else { "; none of its training questions is held out here" }) } else { String::new() }
        );
        let figures = if std::mem::take(&mut self.redraw) { self.figures() } else { Vec::new() };
        self.history.record(&series);
        Ok(Snapshot { step: self.step, total_steps: self.steps, metrics, series, note, figures })
    }

    fn figures(&self) -> Vec<Figure> {
        if self.all_written.is_empty() {
            return Vec::new();
        }
        let start = self.shown.min(self.all_written.len() - 1);
        let shown: Vec<Written> = self.all_written.iter().skip(start).take(WRITTEN).cloned().collect();
        let right = shown.iter().filter(|w| w.correct).count();
        let caption = format!("Held-out problems {}–{} at step {}: {right} of {} right. Each character is shaded by the probability the model gave it{}.", start + 1, start + shown.len(), self.last_eval.unwrap_or(0), shown.len(), if self.cot { "; a step that does not check is boxed" } else { "" });
        let wrong: Vec<(String, String, String)> = self.all_written.iter().filter(|w| !w.correct).take(WRONG).map(|w| (w.question.clone(), w.expected.clone(), w.chars.iter().map(|c| c.0).collect::<String>().replace('\n', " ⏎ "))).collect();
        let total_wrong = self.all_written.iter().filter(|w| !w.correct).count();
        vec![
            Figure::new("written", Plot::Tokens(written_figure(&shown)), caption),
            Figure::new("errors", Plot::Table(errors_table(&wrong)), format!("{total_wrong} of {} held-out problems wrong; the first {} listed.", self.all_written.len(), wrong.len())),
        ]
    }
}

impl Training for ReasonLab {
    /// One step: a batch of problems → forward → loss after the question →
    /// backward → gradients → AdamW at this step's learning rate.
    fn step(&mut self) {
        let picks = picks(&self.parts, self.step, self.batch, &mut self.rng);
        let (x, y, t) = batch(&self.train, &picks, self.block);
        let shape = [self.batch, t];
        let x = Tensor::<2, Int>::from_data(TensorData::new(x, shape), &self.device); // [B, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(y, shape), &self.device); // [B, T]
        let lr = learning_rate_to(self.step, self.lr, self.steps / 20, self.steps, self.lr_end);
        let model = self.model.take().expect("the model is present between steps");
        let logits = if self.gaps == 0 || self.step < self.gaps_from {
            model.logits(x) // [B, T, V]
        } else {
            let share = if self.gaps_all > 0 && self.step >= self.gaps_all { 100 } else { self.gaps_share };
            let at = gapped_positions(&self.train, &picks, t, self.gaps, share, &self.gap_after, &mut self.rng);
            let at = Tensor::<2>::from_data(TensorData::new(at, shape), &self.device); // [B, T]
            model.logits_at(x, at).expect("RoPE was checked when the lab was made") // [B, T, V]
        };
        let loss = lm_loss_ignoring(logits, y, PAD as usize); // [1]
        let grads = loss.backward();
        let grads = GradientsParams::from_grads(grads, &model);
        self.model = Some(self.optim.step(lr, model, grads));
        self.pending.push(loss.detach());
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.steps
    }
    fn set_live(&mut self, key: &str, value: &str) {
        if key == "shown" {
            self.shown = value.parse::<usize>().unwrap_or(1).saturating_sub(1);
            self.redraw = true;
        }
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
    fn save(&self) -> LocalFuture<'_, Result<Vec<u8>, String>> {
        Box::pin(async move {
            let curves = self.history.to_meta();
            let mut extra: Vec<(&str, String)> = self.accuracy.map(|a| ("accuracy", a.to_string())).into_iter().collect();
            extra.extend(curves.iter().map(|(k, v)| (k.as_str(), v.clone())));
            // A start that did not say what it trained on leaves this model's record incomplete: none is kept.
            if !self.start_unknown {
                extra.push((seen::META, self.seen.encode()));
            }
            checkpoint::save(&self.model().valid(), &self.config, &self.vocab.chars, self.lab, &self.params, self.step, &extra).await
        })
    }
}
