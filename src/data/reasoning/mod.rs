//! Week 4's reasoning data: seeded generators of problems that come with a
//! step-by-step chain and a final answer (arithmetic, logic chains, word
//! problems), the JSONL format others can read and write, sets that never
//! overlap, and a checker that finds a chain's first wrong step.
//!
//! The format, one JSON object a line: `question` and `answer` (strings),
//! and optionally `chain` (steps separated by `;`), `task`, `difficulty` and
//! `template` (the word problems' sentence templates).

pub mod arithmetic;
pub mod calc;
pub mod logic;
pub mod seen;
pub mod tool;
pub mod word;

use crate::rng::Rng;
pub use seen::{Excludes, Seen};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub question: String,
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    #[serde(default)]
    pub task: String,
    #[serde(default)]
    pub difficulty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

/// Week 4's characters: padding (id 0, never written), a newline and
/// printable ASCII, fixed, so that every model of the week reads every set
/// (and a character outside it is reported).
pub fn vocab() -> crate::data::chars::CharVocab {
    crate::data::chars::CharVocab { chars: ['\0', '\n'].into_iter().chain((32u8..=126).map(char::from)).collect() }
}

/// The id of padding in `vocab()`: inputs past a problem's end, and targets
/// the loss skips.
pub const PAD: u32 = 0;

/// A problem as a model learns it: the question, a newline, then with
/// `chain` the chain and a newline, then `=` and the answer, and a newline.
pub fn text(p: &Problem, chain: bool) -> String {
    match (&p.chain, chain) {
        (Some(c), true) => format!("{}\n{c}\n={}\n", p.question, chain_answer(p, c)),
        _ => format!("{}\n={}\n", p.question, p.answer),
    }
}

/// The answer as a chain writes it. A difference keeps a digit for every
/// step of its chain, leading zeros included (`9941-9854` → `=0087`), so
/// that the answer copies the chain's result digits back the same way for
/// every problem. Written without them, a difference below 100 was the one
/// thing the 4-digit subtraction preset got wrong: every error of a model
/// on 1,000 fresh problems (BENCHMARKS.md, seventeenth session). Answers are
/// compared as numbers, so `0087` and `87` are the same answer.
pub fn chain_answer(p: &Problem, chain: &str) -> String {
    // Only a difference the generator wrote (digits alone); a file's answer of another shape stays as it is.
    if p.task != "sub" || p.answer.is_empty() || !p.answer.bytes().all(|b| b.is_ascii_digit()) {
        return p.answer.clone();
    }
    let width = chain.split(';').count();
    format!("{:0>width$}", p.answer)
}

/// The tasks, as `reasonlab data --task` and the labs' `task` setting name them.
pub const TASKS: [&str; 5] = ["add", "sub", "mul", "logic", "word"];

/// What a set is made of: a task and its difficulty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    pub task: &'static str,
    /// Digits of each operand (add, sub; mul: the first), hops (logic) or operations (word).
    pub level: usize,
    /// Digits of mul's second operand.
    pub level_b: usize,
    /// Word problems: use the held-out templates (a test set) or never (training).
    pub held_out: bool,
    /// Word problems: numbers of 5–6 digits (for the calculator) instead of 2 to 20.
    pub big: bool,
}

impl Spec {
    pub fn new(task: &str, level: usize) -> Result<Self, String> {
        let task = TASKS.iter().copied().find(|t| *t == task).ok_or_else(|| format!("unknown task {task:?}: one of {}", TASKS.join(", ")))?;
        let (lo, hi) = match task {
            "logic" => (1, 8),
            "word" => (1, 6),
            _ => (1, 6),
        };
        if !(lo..=hi).contains(&level) {
            return Err(format!("{task} takes a difficulty of {lo} to {hi}, not {level}"));
        }
        Ok(Spec { task, level, level_b: if task == "mul" { 2.min(level) } else { level }, held_out: false, big: false })
    }

    /// The calculator lab's problems at this difficulty: operands a model
    /// could not multiply itself, both of `level` digits, and word problems
    /// with 5–6-digit numbers.
    pub fn for_calculator(self) -> Self {
        Spec { level_b: self.level, big: true, ..self }
    }

    /// One problem.
    pub fn problem(&self, rng: &mut Rng) -> Problem {
        use arithmetic::Op;
        match self.task {
            "add" => arithmetic::problem(Op::Add, self.level, self.level, rng),
            "sub" => arithmetic::problem(Op::Sub, self.level, self.level, rng),
            "mul" => arithmetic::problem(Op::Mul, self.level, self.level_b, rng),
            "logic" => logic::problem(self.level, rng),
            _ => word::problem(self.level, self.held_out, self.big, rng),
        }
    }
}

/// `n` distinct problems from `seed`, none of whose questions `exclude`
/// leaves out (a training set's exact questions, or a model's fingerprint
/// with swapped twins, when this is a test set). Fewer come back when the
/// task has fewer distinct problems than asked (1-digit sums: 100).
pub fn generate<E: Excludes + ?Sized>(spec: &Spec, n: usize, seed: u64, exclude: &E) -> Vec<Problem> {
    let mut rng = Rng::new(seed ^ 0x5EA5_0000);
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    // Give up after many misses in a row: the space is used up.
    let mut misses = 0;
    while out.len() < n && misses < 10_000 {
        let p = spec.problem(&mut rng);
        if exclude.excludes(&p.question) || !seen.insert(p.question.clone()) {
            misses += 1;
            continue;
        }
        misses = 0;
        out.push(p);
    }
    out
}

/// The questions two sets share: empty for a test set made against its
/// training set.
pub fn overlap(train: &[Problem], test: &[Problem]) -> Vec<String> {
    let seen: BTreeSet<&str> = train.iter().map(|p| p.question.as_str()).collect();
    test.iter().filter(|p| seen.contains(p.question.as_str())).map(|p| p.question.clone()).collect()
}

/// A chain's steps, each marked right or wrong against its question; `None`
/// for a task whose steps cannot be checked.
pub fn check_chain(task: &str, question: &str, chain: &str) -> Option<Vec<bool>> {
    let steps: Vec<&str> = chain.split(';').collect();
    let check: fn(&str, &[&str], usize) -> bool = match task {
        "add" | "sub" | "mul" => arithmetic::check_step,
        "logic" => logic::check_step,
        "word" => word::check_step,
        _ => return None,
    };
    Some((0..steps.len()).map(|i| check(question, &steps, i)).collect())
}

/// Whether a written answer is the expected one: trimmed, and numbers compared as numbers.
pub fn same_answer(written: &str, expected: &str) -> bool {
    let (w, e) = (written.trim(), expected.trim());
    match (w.parse::<f64>(), e.parse::<f64>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => w == e,
    }
}

/// The chain in what a model wrote after the question: its first line,
/// unless that is already the answer.
pub fn written_chain(written: &str) -> &str {
    written.lines().next().filter(|l| !l.starts_with('=')).unwrap_or("")
}

/// The answer in what a model wrote: the first line that starts with `=`.
pub fn written_answer(written: &str) -> Option<&str> {
    written.lines().find_map(|l| l.strip_prefix('='))
}

/// Whether what a model wrote ends in the right answer to `p`.
pub fn answers_right(written: &str, p: &Problem) -> bool {
    written_answer(written).is_some_and(|a| same_answer(a, &p.answer))
}

/// How much of a written chain checks: (steps the checker accepts, steps
/// counted), counted over the longer of the written and the expected chain
/// so that a chain cut short, or padded with extra steps, is not all right.
/// `None` for a task whose steps cannot be checked.
pub fn steps_right(p: &Problem, chain: &str) -> Option<(usize, usize)> {
    let marks = check_chain(&p.task, &p.question, chain)?;
    let expected = p.chain.as_deref().map_or(0, |c| c.split(';').count());
    Some((marks.iter().filter(|&&ok| ok).count(), marks.len().max(expected)))
}

/// The index of the first wrong step, if any.
pub fn first_wrong(marks: &[bool]) -> Option<usize> {
    marks.iter().position(|ok| !ok)
}

/// Problems as JSONL, a line each.
pub fn to_jsonl(problems: &[Problem]) -> String {
    problems.iter().map(|p| serde_json::to_string(p).expect("a problem serialises") + "\n").collect()
}

/// The longest line `from_jsonl` reads: no problem here comes near it.
pub const MAX_LINE: usize = 64 * 1024;

/// Reads JSONL: the problems, and for each line that is not one, its number
/// (from 1) and why. Blank lines are skipped.
pub fn from_jsonl(text: &str) -> (Vec<Problem>, Vec<(usize, String)>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.len() > MAX_LINE {
            bad.push((i + 1, format!("the line is {} bytes long; at most {MAX_LINE} are read", line.len())));
            continue;
        }
        match serde_json::from_str::<Problem>(line) {
            Ok(p) => ok.push(p),
            Err(e) => bad.push((i + 1, format!("not a problem: {e}"))),
        }
    }
    (ok, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A difference's chain writes every digit it worked out; the plain
    /// format and the other tasks write the number.
    #[test]
    fn a_chain_writes_a_difference_to_its_full_width() {
        let p = Problem { question: "9941-9854".into(), answer: "87".into(), chain: Some("1-4-0=7,1;4-5-1=8,1;9-8-1=0,0;9-9-0=0,0".into()), task: "sub".into(), difficulty: "4".into(), template: None };
        assert_eq!(text(&p, true), "9941-9854\n1-4-0=7,1;4-5-1=8,1;9-8-1=0,0;9-9-0=0,0\n=0087\n");
        assert_eq!(text(&p, false), "9941-9854\n=87\n");
        assert!(same_answer("0087", &p.answer), "scored as the same number");
        let sum = Problem { task: "add".into(), answer: "11327".into(), ..generate(&Spec::new("add", 4).unwrap(), 1, 5, &BTreeSet::new()).remove(0) };
        assert!(text(&sum, true).ends_with("\n=11327\n"));
    }

    #[test]
    fn generators_are_deterministic_per_seed() {
        for task in TASKS {
            let spec = Spec::new(task, 3).unwrap();
            let a = generate(&spec, 50, 7, &BTreeSet::new());
            assert_eq!(a, generate(&spec, 50, 7, &BTreeSet::new()), "{task}");
            assert_ne!(a, generate(&spec, 50, 8, &BTreeSet::new()), "{task}: another seed, other problems");
            assert_eq!(a.len(), 50);
        }
    }

    #[test]
    fn a_test_set_never_overlaps_its_training_set_and_the_check_sees_overlap() {
        for task in TASKS {
            let spec = Spec::new(task, 2).unwrap();
            let train = generate(&spec, 2000, 1, &BTreeSet::new());
            let exclude: BTreeSet<String> = train.iter().map(|p| p.question.clone()).collect();
            let test = generate(&spec, 300, 2, &exclude);
            assert!(overlap(&train, &test).is_empty(), "{task}");
            // The check itself: a test set drawn without the exclusion shares questions.
            let naive = generate(&spec, 300, 2, &BTreeSet::new());
            if task == "add" || task == "sub" {
                assert!(!overlap(&train, &naive).is_empty(), "{task}: 2-digit sums repeat across seeds, and the check sees it");
            }
            assert_eq!(overlap(&train, &train[..5]).len(), 5);
        }
        // A small space runs out rather than repeat: 1-digit sums.
        let spec = Spec::new("add", 1).unwrap();
        assert_eq!(generate(&spec, 500, 1, &BTreeSet::new()).len(), 100);
    }

    #[test]
    fn every_chain_checks_and_a_corrupted_one_is_caught_at_its_first_wrong_step() {
        let mut rng = Rng::new(11);
        for task in TASKS {
            for p in generate(&Spec::new(task, 3).unwrap(), 100, 3, &BTreeSet::new()) {
                let chain = p.chain.clone().unwrap();
                let marks = check_chain(task, &p.question, &chain).unwrap();
                assert_eq!(first_wrong(&marks), None, "{task}: {} / {chain}", p.question);
                // Corrupt one step: change one of its characters.
                let mut steps: Vec<String> = chain.split(';').map(String::from).collect();
                let at = rng.below(steps.len() as u64) as usize;
                let bytes: Vec<char> = steps[at].chars().collect();
                let pos = bytes.len() - 1;
                let swapped = if bytes[pos] == '1' { '2' } else { '1' };
                steps[at] = bytes[..pos].iter().chain(std::iter::once(&swapped)).collect();
                let marks = check_chain(task, &p.question, &steps.join(";")).unwrap();
                assert_eq!(first_wrong(&marks), Some(at), "{task}: {} / {}", p.question, steps.join(";"));
            }
        }
    }

    #[test]
    fn jsonl_round_trips_and_bad_lines_are_reported_by_number() {
        let set = generate(&Spec::new("word", 2).unwrap(), 3, 1, &BTreeSet::new());
        let text = to_jsonl(&set);
        assert_eq!(from_jsonl(&text), (set.clone(), vec![]));
        let huge = format!("{{\"question\": \"{}\", \"answer\": \"1\"}}", "x".repeat(1 << 20));
        let messy = format!("{}\n\nnot json\n{{\"question\": \"1+1\"}}\n{huge}\n{{\"question\":\"2+2\",\"answer\":\"4\"}}\n", text.lines().next().unwrap());
        let (ok, bad) = from_jsonl(&messy);
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].question, "2+2");
        assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), vec![3, 4, 5]);
        assert!(bad[1].1.contains("missing field `answer`"), "{}", bad[1].1);
        assert!(bad[2].1.contains("1048607 bytes long; at most 65536"), "{}", bad[2].1);
    }
}
