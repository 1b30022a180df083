//! Day 22: the data week 4 learns from. Seeded problems with a chain of
//! steps and a final answer (arithmetic, logic chains, word problems), browsed
//! with their chains; one problem as the model's tokenizer sees it; the step
//! checker at work on a corrupted copy; a training and a test set that never
//! share a question; and the set as JSONL to download.

use crate::backend::Workload;
use crate::data::reasoning::{check_chain, first_wrong, overlap, text, to_jsonl, vocab, Problem, TASKS};
use crate::figure::{Download, Figure, FigureSpec, Plot, Table, TokenLine, Tokens};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::labs::sampling::visible;
use crate::settings::{Kind, Setting};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::ReasoningDataLab;

/// Rows of the table: the first problems of the training set.
pub const SHOWN: usize = 40;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "A model learns to reason from examples of reasoning. Every problem here comes from a seeded generator with its question, a chain of small steps, and the final answer. Addition and subtraction go digit by digit from the right, each step with its carry or borrow (`4+8+0=2,1`: 4 plus 8 plus a carry of 0 writes 2 and carries 1); multiplication by partial products, each added to the sum so far digit by digit; a logic chain lists the rules it follows (`AB;BE`: every A is a B, every B an E); a word problem writes one line of arithmetic per sentence.",
        "Every step can be checked against the question, so a chain a model writes can be marked step by step and its first mistake found: the checker below is shown a copy of a chain with one step corrupted. The test set is made with another seed and without any question of the training set (the lab counts the overlap: 0). Some word-problem templates never appear in training; the held-out test set uses them.",
        "The format is JSONL, one problem a line with `question`, `answer`, `chain`, `task` and `difficulty`: download the set, or print one with `reasonlab data --task add --digits 4 --n 1000 --seed 1`.",
    ],
    settings: &[
        Setting { key: "task", label: "Task", help: "add, sub and mul: arithmetic; logic: rule chains; word: word problems.", kind: Kind::Choice(&TASKS), default: "add" },
        Setting { key: "level", label: "Difficulty", help: "Digits of each number (add, sub; mul: the first, times 2 digits), hops (logic) or operations (word).", kind: Kind::Int { min: 1, max: 6 }, default: "4" },
        Setting { key: "n", label: "Problems", help: "How many in the training set (the test set has a fifth as many).", kind: Kind::Int { min: 1, max: 10_000 }, default: "1000" },
        Setting { key: "index", label: "Problem shown", help: "Which training problem the tokenizer and the checker show (1 is the first).", kind: Kind::Int { min: 1, max: 10_000 }, default: "1" },
    ],
    presets: &[
        Preset { name: "4-digit addition", values: &[("task", "add"), ("level", "4")] },
        Preset { name: "4-digit subtraction", values: &[("task", "sub"), ("level", "4")] },
        Preset { name: "3-digit × 2-digit", values: &[("task", "mul"), ("level", "3")] },
        Preset { name: "Logic, 3 hops", values: &[("task", "logic"), ("level", "3")] },
        Preset { name: "Word problems, 3 steps", values: &[("task", "word"), ("level", "3")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::table("problems", "The training set, with chains"),
        FigureSpec::wide("tokens", "One problem as the model reads it, a character a token"),
        FigureSpec::wide("checker", "The step checker on a corrupted copy of the chain"),
        FigureSpec::download("jsonl", "The training set as JSONL"),
    ],
    data: no_data,
    live: &["index"],
    takes: Takes::NOTHING,
    basic: &[],
};

/// The page's picture of the lab.
#[derive(Clone, Debug, Default)]
pub struct DataView {
    pub task: String,
    pub train: Vec<Problem>,
    pub test: Vec<Problem>,
    /// 0-based index of the problem shown.
    pub index: usize,
    /// The shown problem's chain with one step changed, and which.
    pub corrupted: Option<(String, usize)>,
}

impl DataView {
    pub fn shown(&self) -> Option<&Problem> {
        self.train.get(self.index.min(self.train.len().saturating_sub(1)))
    }

    pub fn figures(&self) -> Vec<Figure> {
        vec![self.table(), self.tokens(), self.checker(), self.download()]
    }

    fn table(&self) -> Figure {
        let header = ["#", "question", "chain", "answer", "difficulty"].map(String::from).to_vec();
        let rows = self.train.iter().take(SHOWN).enumerate().map(|(i, p)| vec![(i + 1).to_string(), p.question.clone(), p.chain.clone().unwrap_or_default(), p.answer.clone(), p.difficulty.clone()]).collect();
        let caption = format!("The first {} of {} training problems; a test set of {} shares {} questions with them.", SHOWN.min(self.train.len()), self.train.len(), self.test.len(), overlap(&self.train, &self.test).len());
        Figure::new("problems", Plot::Table(Table { header, rows }), caption)
    }

    fn tokens(&self) -> Figure {
        let Some(p) = self.shown() else { return Figure::empty("tokens", "No problem to show.") };
        let v = vocab();
        let full = text(p, true);
        let line = |label: &str, s: &str| TokenLine { label: label.into(), tokens: s.chars().map(|c| visible(&c.to_string())).collect(), shades: Vec::new(), marks: Vec::new(), accents: Vec::new() };
        let chain = p.chain.clone().unwrap_or_default();
        let lines = vec![line("question", &format!("{}\n", p.question)), line("chain", &format!("{chain}\n")), line("answer", &format!("={}\n", crate::data::reasoning::chain_answer(p, &chain)))];
        let ids: Vec<String> = v.encode(&full).iter().take(24).map(u32::to_string).collect();
        let plain = text(p, false).chars().count();
        let caption = format!(
            "Problem {}: {} tokens with its chain, {plain} without (question, “=”, answer). The vocabulary is fixed for the week: padding, a newline and the {} printable ASCII characters. The first ids: {}…",
            self.index.min(self.train.len().saturating_sub(1)) + 1,
            full.chars().count(),
            v.len() - 2,
            ids.join(" ")
        );
        Figure::new("tokens", Plot::Tokens(Tokens { lines, shade_desc: String::new(), mark_desc: String::new(), accent_desc: String::new() }), caption)
    }

    fn checker(&self) -> Figure {
        let (Some(p), Some((bad, at))) = (self.shown(), &self.corrupted) else { return Figure::empty("checker", "No chain to check.") };
        let chain = p.chain.clone().unwrap_or_default();
        let step_line = |label: &str, chain: &str| {
            let steps: Vec<String> = chain.split(';').map(String::from).collect();
            let marks = check_chain(&p.task, &p.question, chain).unwrap_or_default();
            let wrong: Vec<usize> = marks.iter().enumerate().filter(|(_, ok)| !**ok).map(|(i, _)| i).collect();
            TokenLine { label: label.into(), shades: marks.iter().map(|&ok| if ok { 1.0 } else { 0.15 }).collect(), tokens: steps, marks: wrong, accents: Vec::new() }
        };
        let marks = check_chain(&p.task, &p.question, bad).unwrap_or_default();
        let first = first_wrong(&marks);
        let caption = match first {
            Some(i) => format!("Every step of the generated chain checks. In the copy, step {} was changed to “{}”: the checker finds the first wrong step at step {}.", at + 1, bad.split(';').nth(*at).unwrap_or(""), i + 1),
            None => "The changed copy happens to check: pick another problem.".into(),
        };
        let lines = vec![step_line("generated", &chain), step_line("corrupted", bad)];
        Figure::new("checker", Plot::Tokens(Tokens { lines, shade_desc: "dark: the step checks; pale: it does not".into(), mark_desc: "a wrong step".into(), accent_desc: String::new() }), caption)
    }

    fn download(&self) -> Figure {
        let name = format!("reasonlab-{}-{}.jsonl", self.task, self.train.first().map_or("0".into(), |p| p.difficulty.clone()));
        let d = Download { file_name: name, mime: "application/x-ndjson".into(), text: to_jsonl(&self.train) };
        Figure::new("jsonl", Plot::Download(d), format!("{} problems, a JSON object a line.", self.train.len()))
    }
}
