//! Day 30: the final report, built from the user's own kept models. Each
//! model's file holds the settings that made it and the curves its run drew
//! (`labs::history`); the report draws those curves, scores every model on
//! fresh held-out problems of the task it was trained on (a calculator model
//! also with its calculator switched off), shows a chain each one writes with
//! its steps checked and the first model's attention on a question, and
//! states what worked and what did not from those numbers. The page exports
//! it as one HTML file or as Markdown with PNGs; its link names the models by
//! content hash, and a model this browser does not keep is named as missing.

use crate::backend::Workload;
use crate::figure::{BarPanel, BarSeries, Bars, Figure, FigureSpec, Heatmap, Heatmaps, Line, Lines, Plot, Scale, Table};
use crate::labs::{no_data, Kept, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};

mod findings;
#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::ReportLab;

/// Answers written per step: the tables fill as they are.
pub const CHUNK: usize = 25;

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "The course's arc, told by your own models. Pick the models you kept (Use for the first, Add for the others): a GPT of Day 18, the plain and CoT models of Days 23–24, what PPO, GRPO and DPO made of them, the calculator model of Day 28. The report draws how each one learned (the curves its run kept in its file), scores every one on fresh held-out problems of the task it was trained on, shows a chain each writes with every step checked, and the first model's attention on a question.",
        "Then it says what worked and what did not, from those numbers alone. Export it as one HTML file (its plots inside, nothing fetched) or as Markdown with its plots as PNG files (a .zip). The link names each model by its content hash: opened in another browser it redraws the same report from the same models, or says which ones it is missing.",
    ],
    settings: &[
        Setting { key: "model", label: "First model", help: "A kept model (its content hash): usually the CoT model the others were tuned from. Its attention is drawn.", kind: Kind::Text { max: 64 }, default: "" },
        Setting { key: "models", label: "Other models", help: "More kept models, their hashes separated by commas (Add in the list below).", kind: Kind::Text { max: 400 }, default: "" },
        // 200: two models that differ by 10 points on a set are told apart
        // when at most a fifth of the questions split them (the paired interval's half-width is then about 6 points).
        Setting { key: "n", label: "Problems per set", help: "Held-out problems each model answers on its task. The verdicts need enough: with 50, a 10-point difference is usually within the noise.", kind: Kind::Int { min: 1, max: 1000 }, default: "200" },
    ],
    presets: &[
        Preset { name: "Standard (200 problems a set)", values: &[("n", "200")] },
        Preset { name: "Quick (50 problems a set: only large differences show)", values: &[("n", "50")] },
        Preset { name: "Thorough (500 problems a set)", values: &[("n", "500")] },
    ],
    workload: Workload::Large,
    figures: &[
        FigureSpec::table("findings", "What worked and what did not"),
        FigureSpec::table("models", "The models"),
        FigureSpec::plot("curves", "How each model learned: its training loss"),
        FigureSpec::plot("scores", "Exact match on held-out problems"),
        FigureSpec::table("summary", "Exact match, each model on its task"),
        FigureSpec::table("chains", "A chain each model wrote, its steps checked"),
        FigureSpec::plot("attention", "The first model's attention on a question"),
    ],
    data: no_data,
    live: &[],
    takes: Takes { models: Kept::Many, keeps: false, upload: None },
    basic: &[],
};

/// One model in the report, as its file describes it.
#[derive(Clone, Debug, Default)]
pub struct Member {
    /// The file's own name ("cot · add 3 · 2 × 64 · step 800 · accuracy 0.98").
    pub name: String,
    pub hash: String,
    pub lab: String,
    /// What made it: GPT, plain, CoT, PPO, GRPO, DPO, calculator.
    pub method: String,
    pub params: usize,
    pub step: usize,
    /// The task and difficulty it was trained (or tuned) on.
    pub task: Option<(String, usize)>,
    /// The model it was tuned from, by content hash (`start_hash` in its
    /// file, or the page's `model` setting); none for a start its own run trained.
    pub start: Option<String>,
    /// Whether its file says what it trained on (files from before do not).
    pub knows_training: bool,
    /// Held-out accuracy its run measured at its start and end (tuning labs).
    pub start_accuracy: Option<f64>,
    pub accuracy: Option<f64>,
    /// Its control's accuracy on the same held-out set (tuning labs): the
    /// same start fine-tuned on the right chains of the same questions.
    pub control_accuracy: Option<f64>,
    pub val_loss: Option<f64>,
    /// Its run's curves (`train_loss`, `accuracy`, …).
    pub curves: Vec<(String, Vec<(u32, f32)>)>,
}

impl Member {
    /// "CoT (3f2a…)": short enough for a legend.
    pub fn short(&self) -> String {
        format!("{} ({})", self.method, &self.hash[..self.hash.len().min(6)])
    }

    pub fn trained_on(&self) -> String {
        match &self.task {
            Some((task, level)) => format!("{task} {level}"),
            None => "text".into(),
        }
    }
}

/// What the lab that made a model is called here, from its file's metadata.
pub fn method(lab: &str, rl_method: Option<&str>) -> String {
    match lab {
        "gpt" => "GPT".into(),
        "gpt-mini" => "plain".into(),
        "cot" => "CoT".into(),
        "ppo" => rl_method.unwrap_or("ppo").to_uppercase(),
        "dpo" => "DPO".into(),
        "tools" => "calculator".into(),
        other => other.into(),
    }
}

/// A set of held-out problems: a task, a difficulty, and whether they are
/// the calculator's (both operands of `level` digits, 5–6-digit word numbers).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Group {
    pub task: String,
    pub level: usize,
    pub tool: bool,
}

impl Group {
    pub fn label(&self) -> String {
        match (self.tool, self.task.as_str()) {
            (true, "mul") => format!("mul {0}×{0}", self.level),
            (true, _) => format!("{} {}, 5–6-digit numbers", self.task, self.level),
            _ => format!("{} {}", self.task, self.level),
        }
    }
}

/// A column of the tables: a model, with or without its calculator.
#[derive(Clone, Debug)]
pub struct Column {
    pub member: usize,
    pub calculator: bool,
    pub label: String,
}

/// One answer: right or wrong, and for the chain table what was written.
#[derive(Clone, Debug)]
pub struct Answer {
    pub question: String,
    pub output: String,
    pub correct: bool,
    /// Each step of the chain, checked; empty where nothing can be checked.
    pub marks: Vec<bool>,
}

/// The page's picture of the report.
#[derive(Clone, Debug, Default)]
pub struct ReportView {
    pub members: Vec<Member>,
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
    /// Problems in each group (fewer than `n` where the task has fewer).
    pub sizes: Vec<usize>,
    /// (group, column) → the answers so far; absent where the column does not sit that set.
    pub answers: std::collections::BTreeMap<(usize, usize), Vec<Answer>>,
    /// Hashes the link names that did not come.
    pub missing: Vec<String>,
    /// The first model's attention: the characters, and per head its [T][T] weights.
    pub attention: Option<(Vec<String>, Vec<Vec<Vec<f32>>>, String)>,
    pub n: usize,
}

impl ReportView {
    /// (right, answered) of a column on a group; `None` where it does not sit it.
    pub fn tally(&self, group: usize, column: usize) -> Option<(usize, usize)> {
        let a = self.answers.get(&(group, column))?;
        Some((a.iter().filter(|a| a.correct).count(), a.len()))
    }

    /// Whether a column has answered every problem of a group.
    pub fn complete(&self, group: usize, column: usize) -> bool {
        self.tally(group, column).is_some_and(|(_, t)| t > 0 && Some(&t) == self.sizes.get(group))
    }

    pub fn accuracy(&self, group: usize, column: usize) -> Option<f64> {
        self.tally(group, column).filter(|t| t.1 > 0).map(|(r, t)| r as f64 / t as f64)
    }

    pub fn figures(&self) -> Vec<Figure> {
        vec![self.findings_figure(), self.models_figure(), self.curves_figure(), self.scores_figure(), self.summary_figure(), self.chains_figure(), self.attention_figure()]
    }

    fn findings_figure(&self) -> Figure {
        let rows: Vec<Vec<String>> = findings::findings(self).into_iter().map(|f| vec![f]).collect();
        let caption = format!("{} statements, each from the numbers below (held-out problems, greedy answers, exact match).", rows.len());
        Figure::new("findings", Plot::Table(Table { header: vec!["finding".into()], rows }), caption)
    }

    fn models_figure(&self) -> Figure {
        let header = ["model", "made by", "trained on", "parameters", "steps", "its run measured", "content hash"].map(String::from).to_vec();
        let rows = self.members.iter().map(|m| {
            let mut measured = Vec::new();
            measured.extend(m.val_loss.map(|v| format!("val loss {v:.3}")));
            measured.extend(m.start_accuracy.map(|a| format!("accuracy at its start {a:.3}")));
            measured.extend(m.accuracy.map(|a| format!("accuracy {a:.3}")));
            measured.extend(m.control_accuracy.map(|a| format!("its control {a:.3}")));
            vec![m.name.clone(), m.method.clone(), m.trained_on(), m.params.to_string(), m.step.to_string(), measured.join(", "), m.hash.clone()]
        });
        let caption = match (self.members.len(), self.missing.len()) {
            (0, 0) => "No model yet: pick one in the list below with Use, and more with Add.".to_string(),
            (k, 0) => format!("{k} kept model{}, as their files describe them.", if k == 1 { "" } else { "s" }),
            (k, m) => format!("{k} kept model{}; {m} named by the link {} missing here: {}.", if k == 1 { "" } else { "s" }, if m == 1 { "is" } else { "are" }, self.missing.join(", ")),
        };
        Figure::new("models", Plot::Table(Table { header, rows: rows.collect() }), caption)
    }

    fn curves_figure(&self) -> Figure {
        let lines: Vec<Line> = self
            .members
            .iter()
            .filter_map(|m| {
                let (_, points) = m.curves.iter().find(|(name, _)| name == "train_loss")?;
                Some(Line { name: m.short(), points: points.iter().map(|&(s, v)| (s as f32, v)).collect() })
            })
            .collect();
        // A tuning run keeps its reward instead (the findings give it); a file saved before Day 30, nothing.
        let has = |m: &Member, name: &str| m.curves.iter().any(|(n, _)| n == name);
        let without: Vec<String> = self.members.iter().filter(|m| !has(m, "train_loss") && !has(m, "reward")).map(Member::short).collect();
        let tuned: Vec<String> = self.members.iter().filter(|m| !has(m, "train_loss") && has(m, "reward")).map(Member::short).collect();
        let mut caption = lines.iter().filter_map(|l| Some(format!("{}: {:.3} → {:.3}", l.name, l.points.first()?.1, l.points.last()?.1))).collect::<Vec<_>>().join("; ");
        if !tuned.is_empty() {
            caption += &format!("{}{}: tuned by reward, its mean reward is in the findings.", if caption.is_empty() { "" } else { ". " }, tuned.join(", "));
        }
        if !without.is_empty() {
            caption += &format!("{}No curve kept by {} (a file saved before Day 30).", if caption.is_empty() { "" } else { ". " }, without.join(", "));
        }
        if caption.is_empty() {
            caption = "No model yet.".into();
        }
        Figure::new("curves", Plot::Lines(Lines { lines, x_desc: "step of its own run".into(), y_desc: "training loss (nats per character)".into(), y_range: None, log_y: false, reference: None, markers: false }), caption)
    }

    fn scores_figure(&self) -> Figure {
        let series = self
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                let values: Vec<Option<f64>> = (0..self.groups.len()).map(|g| self.accuracy(g, c)).collect();
                BarSeries { name: col.label.clone(), labels: values.iter().map(|v| v.map_or("–".into(), |v| format!("{v:.2}"))).collect(), values: values.iter().map(|v| v.unwrap_or(0.0) as f32).collect() }
            })
            .collect();
        let categories = self.groups.iter().map(Group::label).collect();
        let panel = BarPanel { title: String::new(), x_desc: "held-out set".into(), categories, series, y_max: 1.15, colour_by_category: false, highlight: None, cutoff: None };
        let caption = if self.groups.is_empty() { "No model trained on a task of week 4 yet.".to_string() } else { format!("Share right; each model sits the sets of its own task ({} problems a set, a seed no training run uses); – where it does not sit that set.", self.n) };
        Figure::new("scores", Plot::Bars(Bars { panels: vec![panel] }), caption)
    }

    fn summary_figure(&self) -> Figure {
        let mut header = vec!["set".to_string()];
        header.extend(self.columns.iter().map(|c| c.label.clone()));
        let rows = self.groups.iter().enumerate().map(|(g, group)| {
            let mut row = vec![group.label()];
            row.extend((0..self.columns.len()).map(|c| match self.tally(g, c) {
                Some((r, t)) if t > 0 => {
                    let (lo, hi) = crate::stats::wilson(r, t);
                    format!("{:.3} ({r}/{t}; 95 % CI {lo:.3}–{hi:.3})", r as f64 / t as f64)
                }
                Some(_) => "…".into(),
                None => "–".into(),
            }));
            row
        });
        let done: usize = self.answers.values().map(Vec::len).sum();
        Figure::new("summary", Plot::Table(Table { header, rows: rows.collect() }), format!("{done} answers scored so far, each share with its 95 % interval (Wilson); – where a model does not sit a set, … where it has not yet."))
    }

    fn chains_figure(&self) -> Figure {
        let header = ["model", "question", "what it wrote, each step checked", "answer"].map(String::from).to_vec();
        let rows = self.columns.iter().enumerate().filter_map(|(c, col)| {
            let g = (0..self.groups.len()).find(|&g| self.answers.get(&(g, c)).is_some_and(|a| !a.is_empty()))?;
            let a = &self.answers[&(g, c)][0];
            Some(vec![col.label.clone(), a.question.chars().take(160).collect(), marked(a), if a.correct { "✓ right".into() } else { "✗ wrong".into() }])
        });
        Figure::new("chains", Plot::Table(Table { header, rows: rows.collect() }), "Each model's first held-out question. Steps are marked ✓ or ✗ where they can be checked; the first ✗ is where the chain went wrong.")
    }

    fn attention_figure(&self) -> Figure {
        let Some((chars, heads, what)) = &self.attention else {
            return Figure::new("attention", Plot::Heatmaps(Heatmaps { columns: 1, row_labels: Vec::new(), col_labels: Vec::new(), panels: Vec::new() }), "No model yet.");
        };
        let panels = heads.iter().enumerate().map(|(h, rows)| Heatmap { title: format!("head {}", h + 1), subtitle: String::new(), rows: rows.clone(), scale: Scale::Unit, numbers: false }).collect();
        let labels: Vec<String> = chars.iter().map(|c| if c == "\n" { "⏎".into() } else { c.clone() }).collect();
        Figure::new("attention", Plot::Heatmaps(Heatmaps { columns: heads.len().min(4), row_labels: labels.clone(), col_labels: labels, panels }), what.clone())
    }
}

/// The output on one line with each step followed by its mark.
fn marked(a: &Answer) -> String {
    let mut lines = a.output.lines();
    let chain = lines.next().unwrap_or("");
    let rest: Vec<&str> = lines.collect();
    let chain = if a.marks.is_empty() || chain.starts_with('=') {
        chain.to_string()
    } else {
        chain.split(';').zip(a.marks.iter().chain(std::iter::repeat(&false))).map(|(s, ok)| format!("{s} {}", if *ok { "✓" } else { "✗" })).collect::<Vec<_>>().join("; ")
    };
    std::iter::once(chain).chain(rest.iter().map(|s| s.to_string())).collect::<Vec<_>>().join(" ⏎ ").chars().take(240).collect()
}
