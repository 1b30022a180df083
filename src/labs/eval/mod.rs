//! Day 25: exact-match accuracy of kept models, side by side: on held-out
//! generated problems (by task and difficulty) or on the external sets (GSM
//! Symbolic, ParaRule-Plus), with the questions one model gets and the other
//! misses, both outputs shown. Day 29 (`compare`) sets any number of kept
//! models beside a first one on a range of difficulties, with what each
//! fixed and broke against it.

use crate::backend::Workload;
use crate::data::reasoning::TASKS;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Plot, Table};
use crate::labs::{no_data, Kept, LabSpec, Preset, Takes};
use crate::settings::{Kind, Params, Setting};
use crate::stats::{Paired, Verdict};

#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::EvalLab;

/// The external sets, as files under `data/`.
pub const GSM: &str = "eval/gsm_symbolic_2000.jsonl";
pub const PARARULE: &str = "eval/pararule_plus.jsonl";
/// Problems scored per step: the table grows as they are.
pub const CHUNK: usize = 25;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "How good is a model, really? Exact match on problems it never saw: the answer it writes after `=` must be the right one (trimmed; numbers compare as numbers). Pick one or two models kept in this browser (Model, and Model B for a second) and a set: held-out problems generated with a seed no training run used, or one of two external sets.",
        "GSM Symbolic holds 2,000 grade-school word problems in GSM8K's style (reasoning-gym), ParaRule-Plus 2,000 deductions over facts and rules, true or false (OpenAI evals). They are far longer and richer than anything a tiny model here was trained on: expect near zero, and read the outputs to see why. Where two models are scored, the last table lists the questions one gets right and the other wrong.",
    ],
    settings: &[
        Setting { key: "model", label: "Model", help: "A model kept in this browser (its content hash): the list below the buttons.", kind: Kind::Text { max: 64 }, default: "" },
        Setting { key: "model_b", label: "Model B", help: "A second kept model to score beside the first (optional).", kind: Kind::Text { max: 64 }, default: "" },
        Setting { key: "set", label: "Problems", help: "generated: held-out problems of a task; gsm_symbolic, pararule: the external sets.", kind: Kind::Choice(&["generated", "gsm_symbolic", "pararule"]), default: "generated" },
        Setting { key: "task", label: "Task", help: "The generated problems' task.", kind: Kind::Choice(&TASKS), default: "add" },
        Setting { key: "level", label: "Difficulty", help: "The generated problems' digits, hops or operations.", kind: Kind::Int { min: 1, max: 6 }, default: "2" },
        Setting { key: "n", label: "Problems scored", help: "How many (the first of an external set).", kind: Kind::Int { min: 1, max: 2000 }, default: "200" },
    ],
    presets: &[
        Preset { name: "Generated, held out", values: &[("set", "generated"), ("n", "200")] },
        Preset { name: "GSM Symbolic (first 200)", values: &[("set", "gsm_symbolic"), ("n", "200")] },
        Preset { name: "ParaRule-Plus (first 200)", values: &[("set", "pararule"), ("n", "200")] },
    ],
    workload: Workload::Large,
    figures: &[
        FigureSpec::plot("by_difficulty", "Accuracy by difficulty"),
        FigureSpec::table("summary", "Exact match, overall and by task and difficulty"),
        FigureSpec::table("diffs", "Questions one model gets and the other misses"),
    ],
    data: files,
    live: &[],
    takes: Takes { models: Kept::Two, keeps: false, upload: None },
    basic: &[],
};

pub static COMPARE_SPEC: LabSpec = LabSpec {
    intro: &[
        "The week's methods side by side: the plain model, the CoT model and what PPO, GRPO, DPO and the calculator made of it, each scored by exact match on the same held-out problems, over a range of difficulties, so that the edge where tuning helps (or hurts) shows.",
        "Model is the one the others are measured against (usually the CoT model they started from); add the others from the list with Add. Each gets a column and a bar in each difficulty, and a line saying how many questions it fixed (right where the first is wrong) and broke (wrong where the first is right). The last table lists the questions the models disagree on, with what each wrote.",
    ],
    settings: &[
        Setting { key: "model", label: "Model", help: "The model the others are measured against (its content hash): usually the CoT model they were tuned from.", kind: Kind::Text { max: 64 }, default: "" },
        Setting { key: "models", label: "Compared with", help: "Other kept models, their hashes separated by commas (Add in the list below): each gets a column.", kind: Kind::Text { max: 400 }, default: "" },
        Setting { key: "task", label: "Task", help: "The held-out problems' task.", kind: Kind::Choice(&TASKS), default: "add" },
        Setting { key: "from", label: "From difficulty", help: "The easiest difficulty scored.", kind: Kind::Int { min: 1, max: 6 }, default: "2" },
        Setting { key: "to", label: "To difficulty", help: "The hardest difficulty scored.", kind: Kind::Int { min: 1, max: 8 }, default: "3" },
        Setting { key: "n", label: "Problems per difficulty", help: "Held-out problems scored at each difficulty.", kind: Kind::Int { min: 1, max: 1000 }, default: "100" },
    ],
    presets: &[
        Preset { name: "Addition, 2 and 3 digits", values: &[("task", "add"), ("from", "2"), ("to", "3"), ("n", "100")] },
        Preset { name: "Multiplication by 2 digits, 2–4 digits", values: &[("task", "mul"), ("from", "2"), ("to", "4"), ("n", "100")] },
    ],
    workload: Workload::Large,
    figures: &[
        FigureSpec::plot("by_difficulty", "Accuracy by difficulty, each model a bar"),
        FigureSpec::table("summary", "Exact match, overall and by difficulty"),
        FigureSpec::table("changes", "Against the first model: questions fixed and broken"),
        FigureSpec::table("diffs", "Questions the models disagree on"),
    ],
    data: no_data,
    live: &[],
    takes: Takes { models: Kept::Many, keeps: false, upload: None },
    basic: &[],
};

fn files(p: &Params) -> Result<&'static [&'static str], String> {
    Ok(match p.get("set")? {
        "gsm_symbolic" => &[GSM],
        "pararule" => &[PARARULE],
        _ => &[],
    })
}

/// One model's answers so far: (question, expected, output, correct, group).
#[derive(Clone, Debug, Default)]
pub struct Column {
    pub name: String,
    pub rows: Vec<(String, String, String, bool, String)>,
    /// A tuned model's own run: its accuracy and its control's on that run's
    /// held-out set (from its file), so the gain over the control sits beside.
    pub control: Option<(f64, f64)>,
}

impl Column {
    pub fn tally(&self, group: Option<&str>) -> (usize, usize) {
        let rows = self.rows.iter().filter(|r| group.is_none_or(|g| r.4 == g));
        rows.fold((0, 0), |(c, t), r| (c + r.3 as usize, t + 1))
    }
}

/// The page's picture: a column per model, and the problems' count.
#[derive(Clone, Debug, Default)]
pub struct EvalView {
    pub columns: Vec<Column>,
    pub total: usize,
}

impl EvalView {
    /// The groups ("add 2", "gsm_symbolic 3") in order of first appearance.
    fn groups(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self.columns.first().map_or(&[][..], |c| &c.rows[..]) {
            if !out.contains(&r.4) {
                out.push(r.4.clone());
            }
        }
        out
    }

    pub fn figures(&self) -> Vec<Figure> {
        let groups = self.groups();
        let pct = |(c, t): (usize, usize)| {
            let (lo, hi) = crate::stats::wilson(c, t);
            if t == 0 { "–".to_string() } else { format!("{:.3} ({c}/{t}; 95 % CI {lo:.3}–{hi:.3})", c as f64 / t as f64) }
        };
        let mut header = vec!["problems".to_string()];
        header.extend(self.columns.iter().map(|c| c.name.clone()));
        let mut rows = vec![std::iter::once("all".to_string()).chain(self.columns.iter().map(|c| pct(c.tally(None)))).collect::<Vec<_>>()];
        rows.extend(groups.iter().map(|g| std::iter::once(g.clone()).chain(self.columns.iter().map(|c| pct(c.tally(Some(g))))).collect()));
        let scored = self.columns.first().map_or(0, |c| c.rows.len());
        let summary = Figure::new("summary", Plot::Table(Table { header, rows }), format!("{scored} of {} problems scored so far, greedy writing, exact match after “=”; each share with its 95 % interval (Wilson): the range that the model's accuracy on all such problems lies in, given these.", self.total));
        let series = self.columns.iter().map(|c| {
            let values: Vec<f32> = groups.iter().map(|g| { let (r, t) = c.tally(Some(g)); r as f32 / t.max(1) as f32 }).collect();
            BarSeries { name: c.name.clone(), labels: values.iter().map(|v| format!("{v:.2}")).collect(), values }
        }).collect();
        let panel = BarPanel { title: String::new(), x_desc: "task and difficulty".into(), categories: groups.clone(), series, y_max: 1.15, colour_by_category: false, highlight: None, cutoff: None };
        let bars = Figure::new("by_difficulty", Plot::Bars(Bars { panels: vec![panel] }), format!("Share right in each group; {} model{}.", self.columns.len(), if self.columns.len() == 1 { "" } else { "s side by side" }));
        vec![bars, summary, self.diffs()]
    }

    fn diffs(&self) -> Figure {
        let columns = &self.columns;
        if columns.len() < 2 {
            return Figure::new("diffs", Plot::Table(Table { header: vec!["question".into()], rows: Vec::new() }), "Pick a second model (Model B) to see where the two differ.");
        }
        let mut header = vec!["question".to_string(), "expected".to_string()];
        header.extend(columns.iter().map(|c| format!("{} wrote", c.name)));
        let scored = columns.iter().map(|c| c.rows.len()).min().unwrap_or(0);
        let differ: Vec<usize> = (0..scored).filter(|&i| columns.iter().any(|c| c.rows[i].3 != columns[0].rows[i].3)).collect();
        let rows = differ.iter().take(30).map(|&i| {
            let first = &columns[0].rows[i];
            let mut row = vec![first.0.chars().take(120).collect(), first.1.clone()];
            row.extend(columns.iter().map(|c| mark(&c.rows[i].2, c.rows[i].3)));
            row
        });
        let caption = match columns.as_slice() {
            [a, b] => {
                let only_a = differ.iter().filter(|&&i| a.rows[i].3).count();
                format!("{} questions only {} gets right, {} only {}; the first 30 listed. {}", only_a, a.name, differ.len() - only_a, b.name, self.verdict(1))
            }
            _ => format!("{} questions on which the {} models disagree; the first 30 listed.", differ.len(), columns.len()),
        };
        Figure::new("diffs", Plot::Table(Table { header, rows: rows.collect() }), caption)
    }

    /// Each model after the first against the first, question by question.
    pub fn changes(&self) -> Vec<Paired> {
        let Some(first) = self.columns.first() else { return Vec::new() };
        self.columns[1..].iter().map(|c| Paired::of(first.rows.iter().map(|r| r.3), c.rows.iter().map(|r| r.3))).collect()
    }

    /// What the paired test lets one say of column `k` against the first.
    pub fn verdict(&self, k: usize) -> String {
        let (Some(first), Some(other)) = (self.columns.first(), self.columns.get(k)) else { return String::new() };
        let p = self.changes()[k - 1];
        let said = match p.verdict() {
            Verdict::Better => format!("{} is better than {}", other.name, first.name),
            Verdict::Worse => format!("{} is worse than {}", other.name, first.name),
            Verdict::Unclear => format!("No clear difference between {} and {} (n = {})", other.name, first.name, p.n()),
        };
        format!("{said}: {}, McNemar p = {:.3}.", p.describe(), p.p_value())
    }

    pub fn changes_figure(&self) -> Figure {
        let header = ["model", "fixed", "broke", "accuracy change (95 % CI)", "verdict", "its tuning run: over its control"].map(String::from).to_vec();
        let rows = self
            .columns
            .iter()
            .skip(1)
            .zip(self.changes())
            .map(|(c, p)| {
                let (d, lo, hi) = p.difference();
                let verdict = match p.verdict() {
                    Verdict::Better => "better".to_string(),
                    Verdict::Worse => "worse".to_string(),
                    Verdict::Unclear => format!("no clear difference (n = {})", p.n()),
                };
                let control = c.control.map_or("–".to_string(), |(a, k)| format!("{:.1} % against {:.1} % ({:+.1} points)", 100.0 * a, 100.0 * k, 100.0 * (a - k)));
                vec![c.name.clone(), p.second_only.to_string(), p.first_only.to_string(), format!("{:+.1} points ({:+.1} to {:+.1})", 100.0 * d, 100.0 * lo, 100.0 * hi), verdict, control]
            })
            .collect();
        let first = self.columns.first().map_or("the first model", |c| c.name.as_str());
        Figure::new("changes", Plot::Table(Table { header, rows }), format!("Fixed: right where {first} is wrong; broke: wrong where it is right. Better or worse only where the paired 95 % interval of the change (Newcombe) leaves out 0 and McNemar's test agrees. A tuned model's last column is from its own run: its accuracy against its control's (the same start fine-tuned on the right chains of the same questions)."))
    }
}

/// An output as the table shows it: one line, marked right or wrong.
fn mark(output: &str, correct: bool) -> String {
    format!("{} {}", if correct { "✓" } else { "✗" }, output.replace('\n', " ⏎ ").chars().take(80).collect::<String>())
}
