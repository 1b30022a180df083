//! Exact-match scoring of a model on any problem set (`reasonlab eval`, and
//! the eval lab): greedy answers, compared after trimming, numbers as numbers.

use super::decode::{greedy_with, Calculator};
use crate::data::chars::CharVocab;
use crate::data::reasoning::{answers_right, Problem};
use crate::models::gpt::Gpt;
use burn::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// One question, answered.
#[derive(Clone, Debug, Serialize)]
pub struct Scored {
    pub question: String,
    pub answer: String,
    /// Everything the model wrote after the question.
    pub output: String,
    pub correct: bool,
    pub task: String,
    pub difficulty: String,
}

/// Right answers and questions, overall or in a group.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct Tally {
    pub correct: usize,
    pub total: usize,
}

impl Tally {
    pub fn accuracy(&self) -> f64 {
        self.correct as f64 / self.total.max(1) as f64
    }
}

/// The problems a model can read: the others (a character outside its
/// vocabulary) come back as their index and why.
pub fn readable(problems: Vec<Problem>, vocab: &CharVocab) -> (Vec<Problem>, Vec<(usize, String)>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for (i, p) in problems.into_iter().enumerate() {
        match p.question.chars().find(|c| vocab.chars.binary_search(c).is_err()) {
            Some(c) => bad.push((i, format!("the question has {c:?}, a character outside the model's vocabulary"))),
            None => ok.push(p),
        }
    }
    (ok, bad)
}

/// Whether a model file's model calls the calculator: one the `tools` lab trained.
pub fn calls_calculator(meta: &BTreeMap<String, String>) -> bool {
    meta.get("lab").is_some_and(|l| l == "tools")
}

/// Greedy answers to every problem, in order; with `calculator`, each call
/// the model writes is answered by the calculator.
pub async fn score(model: &Gpt, vocab: &CharVocab, problems: &[Problem], calculator: bool, device: &Device) -> Result<Vec<Scored>, String> {
    let id = |c: &str| vocab.encode(c).first().map(|&i| i as i64).ok_or("the model's vocabulary has no newline or =");
    let (newline, equals) = (id("\n")?, id("=")?);
    let prompts: Vec<Vec<i64>> = problems.iter().map(|p| vocab.encode(&format!("{}\n", p.question)).into_iter().map(i64::from).collect()).collect();
    let block = model.block_size();
    let calc = Calculator::new(vocab);
    let tool = |row: &[(i64, f32)]| calc.answer(row);
    let outputs = greedy_with(model, &prompts, block, newline, equals, calculator.then_some(&tool as _), device).await?;
    Ok(problems
        .iter()
        .zip(outputs)
        .map(|(p, out)| {
            let output = vocab.decode(&out.iter().map(|&(i, _)| i as u32).collect::<Vec<_>>());
            Scored { question: p.question.clone(), answer: p.answer.clone(), correct: answers_right(&output, p), output, task: p.task.clone(), difficulty: p.difficulty.clone() }
        })
        .collect())
}

/// Overall, per task and per task and difficulty ("add 4").
pub fn tally(scored: &[Scored]) -> (Tally, BTreeMap<String, Tally>, BTreeMap<String, Tally>) {
    let (mut all, mut by_task, mut by_level) = (Tally::default(), BTreeMap::new(), BTreeMap::new());
    for s in scored {
        for t in [&mut all, by_task.entry(s.task.clone()).or_insert_with(Tally::default), by_level.entry(format!("{} {}", s.task, s.difficulty)).or_insert_with(Tally::default)] {
            t.total += 1;
            t.correct += s.correct as usize;
        }
    }
    (all, by_task, by_level)
}
