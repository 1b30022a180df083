//! Days 23 and 24: the GPT learns reasoning data. `gpt-mini` learns question
//! → answer only (the "plain" model); `cot` learns question → chain →
//! answer, from scratch or from a kept model. Both are scored by exact match
//! on held-out problems (another seed, no training question), with greedy
//! decoding; `cot`'s chains are checked step by step. `tools` (Day 28)
//! learns chains that call a calculator.

use crate::backend::Workload;
use crate::data::reasoning::{tool, TASKS};
use crate::figure::{FigureSpec, Table, TokenLine, Tokens};
use crate::labs::{no_data, LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};

#[cfg(feature = "engine")]
pub mod decode;
#[cfg(feature = "engine")]
pub mod score;
#[cfg(feature = "engine")]
pub(crate) mod rows;
#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::ReasonLab;

/// What a model learns to write after the question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The answer straight away (GPT-mini).
    Plain,
    /// The chain, then the answer (CoT).
    Cot,
    /// The chain with calculator calls, then the answer (tools).
    Tool,
}

const fn settings(tasks: &'static [&'static str], task: &'static str, level: &'static str, steps: &'static str) -> [Setting; 23] {
    [
        Setting { key: "model", label: "Model", help: "A model kept in this browser to start from (its content hash); empty: a new one.", kind: Kind::Text { max: 64 }, default: "" },
        Setting { key: "task", label: "Task", help: "add, sub, mul: arithmetic; logic: rule chains; word: word problems.", kind: Kind::Choice(tasks), default: task },
        Setting { key: "level", label: "Difficulty", help: "Digits (add, sub; mul: the first number, times 2 digits), hops (logic) or operations (word).", kind: Kind::Int { min: 1, max: 6 }, default: level },
        Setting { key: "mix", label: "Easier ones too", help: "yes: train on every difficulty from 1 up to Difficulty, in equal shares (the held-out problems stay at Difficulty).", kind: Kind::Choice(&["no", "yes"]), default: "no" },
        Setting { key: "batches", label: "Batches", help: "With Easier ones too. mixed: each batch drawn from every difficulty. by-difficulty: each batch from one difficulty, taking turns; every row of a batch is padded to its longest, so a batch of short problems costs only what they need.", kind: Kind::Choice(&["mixed", "by-difficulty"]), default: "mixed" },
        Setting { key: "test_level", label: "Also test at", help: "Another difficulty scored on held-out problems too, e.g. longer chains than any trained (0: none). Metric test_accuracy.", kind: Kind::Int { min: 0, max: 8 }, default: "0" },
        Setting { key: "train_n", label: "Training problems", help: "Distinct problems generated for training.", kind: Kind::Int { min: 10, max: 200_000 }, default: "5000" },
        Setting { key: "layers", label: "Blocks", help: "Transformer blocks.", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
        Setting { key: "heads", label: "Heads", help: "Attention heads per block.", kind: Kind::Choice(&["1", "2", "4", "8"]), default: "4" },
        Setting { key: "width", label: "Width C", help: "Size of the residual stream.", kind: Kind::Choice(&["32", "48", "64", "96", "128"]), default: "64" },
        Setting { key: "positions", label: "Positions", help: "learned: a vector per position, nothing past the longest trained problem. rope: queries and keys rotated by position, which carries over to longer problems. none: no positions; order shows only through the causal mask.", kind: Kind::Choice(&["learned", "rope", "none"]), default: "learned" },
        Setting { key: "gaps", label: "Position gaps", help: "RoPE only. While training, a row's positions skip ahead by 0 to this many after each `;`, `|` and line end, drawn afresh each time, so that how far a step is from the question says nothing of how many steps came before it; writing places characters one after another as usual. 0: no gaps.", kind: Kind::Int { min: 0, max: 8 }, default: "0" },
        Setting { key: "gaps_from", label: "Gaps from step", help: "The step at which position gaps begin. Before it, positions run one after another: the lookups a chain needs form several times more slowly with gaps from the start, and once formed they learn to go on without counting in a few hundred steps.", kind: Kind::Int { min: 0, max: 100_000 }, default: "0" },
        Setting { key: "gaps_share", label: "Rows gapped (%)", help: "From Gaps from step, the percentage of training rows given gaps; the rest keep positions one after another.", kind: Kind::Int { min: 0, max: 100 }, default: "100" },
        Setting { key: "gaps_all", label: "Every row from step", help: "The step from which every training row has gaps, whatever Rows gapped says (0: never).", kind: Kind::Int { min: 0, max: 100_000 }, default: "0" },
        Setting { key: "batch", label: "Batch", help: "Problems per step.", kind: Kind::Int { min: 1, max: 256 }, default: "32" },
        Setting { key: "lr", label: "Learning rate", help: "AdamW's peak step size; warm-up then cosine decay.", kind: Kind::Float { min: 1e-5, max: 0.1 }, default: "0.003" },
        Setting { key: "lr_end", label: "Final rate", help: "The learning rate at the last step, as a share of the peak (the cosine ends there): lower lets the last steps settle.", kind: Kind::Float { min: 0.0, max: 1.0 }, default: "0.1" },
        crate::labs::gpt::OPTIMIZER,
        Setting { key: "steps", label: "Steps", help: "Optimizer steps.", kind: Kind::Int { min: 1, max: 100_000 }, default: steps },
        Setting { key: "eval_every", label: "Evaluate every", help: "Steps between exact-match scores on the held-out problems.", kind: Kind::Int { min: 10, max: 100_000 }, default: "200" },
        Setting { key: "eval_n", label: "Held-out problems", help: "Problems scored at each evaluation (new seed, none from training).", kind: Kind::Int { min: 10, max: 5000 }, default: "200" },
        Setting { key: "shown", label: "Problem shown", help: "Which held-out problem the page writes out (1 is the first).", kind: Kind::Int { min: 1, max: 5000 }, default: "1" },
    ]
}

static PLAIN_SETTINGS: [Setting; 23] = settings(&TASKS, "add", "2", "1500");
static COT_SETTINGS: [Setting; 23] = settings(&TASKS, "add", "2", "1500");
static TOOL_SETTINGS: [Setting; 23] = settings(&tool::TASKS, "mul", "4", "800");

const FIGURES: &[FigureSpec] = &[
    FigureSpec::curve("train_loss", "Training loss (on the tokens after the question)"),
    FigureSpec::share("accuracy", "Exact-match accuracy on held-out problems"),
    FigureSpec::wide("written", "A held-out problem, as the model writes it"),
    FigureSpec::table("errors", "Held-out problems the model gets wrong"),
];

const PRESETS: &[Preset] = &[
    Preset { name: "2-digit addition", values: &[("task", "add"), ("level", "2"), ("steps", "1500")] },
    // Measured in Chromium's CPU worker: CoT 200 of 200 held out in 314 s (BENCHMARKS.md).
    Preset { name: "4-digit addition (≈ 5 min)", values: &[("task", "add"), ("level", "4"), ("steps", "2000"), ("eval_every", "500"), ("width", "96"), ("layers", "3")] },
    // Every error of this preset on fresh problems was a difference below 100
    // whose answer line dropped the chain's leading zeros; a chain now writes
    // them (`chain_answer`). On five seeds it was not chosen on, 1,000 fresh
    // problems each: 1.000 every time (before: 0.974–0.995). In Chromium's CPU
    // worker 200 of 200 held out in 508 s beside another run (BENCHMARKS.md,
    // seventeenth session).
    Preset { name: "4-digit subtraction (≈ 5 min)", values: &[("task", "sub"), ("level", "4"), ("steps", "2000"), ("eval_every", "500"), ("width", "96"), ("layers", "3")] },
    // Measured in Chromium's CPU worker: CoT 197 of 200 held out in 652 s.
    Preset { name: "3-digit × 2-digit multiplication (≈ 11 min)", values: &[("task", "mul"), ("level", "3"), ("steps", "2000"), ("eval_every", "500"), ("width", "96"), ("layers", "3")] },
    // Trained on 1–3 hops, scored at 3 and at 5 (test_accuracy); lookups form at a
    // lower rate than the default, and a batch of 64 forms them in fewer steps.
    // Without gaps a model stops after 3 hops (0.3 at 5): it counts. From step
    // 1,400 on, gaps in its positions take the count away; the lookups form
    // anywhere from step 500 to 1,400 (seed by seed), and the 1,400 steps after
    // that are what carries every seed to 5 hops (BENCHMARKS.md). Chromium's
    // CPU worker ran 3.5 steps/s of this preset alone.
    Preset { name: "Logic: 1–3 hops, tested at 5 (≈ 15 min)", values: &[("task", "logic"), ("level", "3"), ("mix", "yes"), ("test_level", "5"), ("positions", "rope"), ("train_n", "20000"), ("lr", "0.001"), ("batch", "64"), ("gaps", "3"), ("gaps_from", "1400"), ("steps", "2800"), ("eval_every", "700"), ("width", "96"), ("layers", "3")] },
    // AdamW needed 5,000 steps (about an hour in the browser) for 90 % on 2–4
    // sentences. Muon at lr 0.01 gets there in 1,200, and 100,000 problems
    // (each seen about once) generalise better than 20,000 seen twice
    // (BENCHMARKS.md, fourteenth session).
    Preset { name: "Word problems: 1–4 sentences (≈ 11 min)", values: &[("task", "word"), ("level", "4"), ("mix", "yes"), ("train_n", "100000"), ("optimizer", "muon"), ("lr", "0.01"), ("steps", "1200"), ("eval_every", "400"), ("width", "96"), ("layers", "3")] },
];

pub static PLAIN_SPEC: LabSpec = LabSpec {
    intro: &[
        "GPT-mini: the GPT of week 3, trained on reasoning problems to write the answer straight after the question: `1234+5678` then `=6912`. The loss counts only what comes after the question; the score is exact match on held-out problems (another seed, and no question of the training set), writing greedily, one character at a time.",
        "A model this small has to do the whole sum in one go, in the few blocks it has between reading the last digit and writing the first one of the answer, and it writes the answer's first digit before its last ones, the opposite of how carries flow. Expect it to fall well short as the numbers grow; tomorrow's lab gives the same model room to think.",
    ],
    settings: &PLAIN_SETTINGS,
    presets: PRESETS,
    workload: Workload::Large,
    figures: FIGURES,
    data: no_data,
    live: &["shown"],
    takes: Takes::TRAINS_ON,
    basic: &["model", "task", "level", "layers", "width", "steps"],
};

const TOOL_PRESETS: &[Preset] = &[
    Preset { name: "4-digit × 4-digit multiplication", values: &[("task", "mul"), ("level", "4"), ("steps", "800")] },
    // Copying a 5–6-digit number out of the right sentence is a lookup, and
    // with learned positions it never formed (0.000 at 1,500 steps); with RoPE
    // and AdamW it formed at a different step on every seed. Muon forms it
    // within a few hundred steps; 100,000 problems keep it from learning them
    // by heart. What is left is copying every digit right, and that takes
    // steps: batches by difficulty make a step about twice as fast in
    // Chromium's CPU worker (a batch of one-sentence problems is short), so
    // 2,200 fit, and a cosine that ends at 0 lets the last steps settle
    // (BENCHMARKS.md, fifteenth session).
    Preset { name: "Word problems with 5–6-digit numbers (≈ 13 min)", values: &[("task", "word"), ("level", "4"), ("mix", "yes"), ("batches", "by-difficulty"), ("train_n", "100000"), ("positions", "rope"), ("optimizer", "muon"), ("lr", "0.006"), ("lr_end", "0"), ("steps", "2200"), ("eval_every", "1100")] },
];

pub static TOOL_SPEC: LabSpec = LabSpec {
    intro: &[
        "A calculator for the model: instead of working a step out, it writes the step as a call, `<calc>3471*5893</calc>`. Writing pauses there; the runtime evaluates what is between the tags with a small evaluator of its own (numbers, + − × ÷ and brackets, nothing else; anything else is refused and the chain goes on with `?`) and writes the result after the call. Those characters are the calculator's, so the training loss leaves them out: the model learns when to call and what to ask, never the arithmetic.",
        "The problems are ones a model this small cannot work out itself: 4-digit × 4-digit products, and word problems whose numbers have 5–6 digits. Beside the score with the calculator stands the same model with it switched off, writing every result itself. The chain view underlines each call and its result in green.",
    ],
    settings: &TOOL_SETTINGS,
    presets: TOOL_PRESETS,
    workload: Workload::Large,
    figures: FIGURES,
    data: no_data,
    live: &["shown"],
    takes: Takes::TRAINS_ON,
    basic: &["model", "task", "level", "layers", "width", "steps"],
};

pub static COT_SPEC: LabSpec = LabSpec {
    intro: &[
        "Chain of thought: the same GPT trained to write its working before the answer: question, then the chain of small steps, then `=` and the answer. Each step is one the model can take in one go (one digit and its carry), and each step's output is input to the next, so the whole computation is spread over many positions instead of squeezed into a few blocks.",
        "The page writes a held-out problem token by token, each character shaded by the probability the model gave it, and checks every step against the question: the first wrong step is boxed. Start from scratch, or from a GPT-mini kept in this browser (Model).",
    ],
    settings: &COT_SETTINGS,
    presets: PRESETS,
    workload: Workload::Large,
    figures: FIGURES,
    data: no_data,
    live: &["shown"],
    takes: Takes::TRAINS_ON,
    basic: &["model", "task", "level", "layers", "width", "steps"],
};

/// One held-out problem as the model wrote it.
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub question: String,
    pub expected: String,
    /// The characters written after the question, with their probabilities.
    pub chars: Vec<(char, f32)>,
    /// The answer read from them, if a `=` line was written.
    pub answer: Option<String>,
    pub correct: bool,
    /// Per step of the written chain: whether it checks (CoT only).
    pub steps: Vec<(String, bool)>,
    /// Calculator calls with their results (tools only).
    pub calls: Vec<std::ops::Range<usize>>,
}

impl Written {
    /// The characters as a line of tokens; wrong steps' characters boxed.
    pub fn line(&self) -> TokenLine {
        let mut marks = Vec::new();
        let mut at = 0;
        for (step, ok) in &self.steps {
            let len = step.chars().count();
            if !ok {
                marks.extend(at..at + len);
            }
            at += len + 1; // the ';' or newline after it
        }
        TokenLine {
            label: format!("{} {}", self.question, if self.correct { "✓" } else { "✗" }),
            tokens: self.chars.iter().map(|(c, _)| crate::labs::sampling::visible(&c.to_string())).collect(),
            shades: self.chars.iter().map(|(_, p)| *p).collect(),
            marks,
            accents: self.calls.iter().flat_map(|r| r.clone()).collect(),
        }
    }
}

/// The written problems as a figure, and the wrong ones as a table.
pub fn written_figure(written: &[Written]) -> Tokens {
    Tokens { lines: written.iter().map(Written::line).collect(), shade_desc: "the model's probability for the character".into(), mark_desc: "a step that does not check".into(), accent_desc: if written.iter().any(|w| !w.calls.is_empty()) { "a calculator call and the result it wrote".into() } else { String::new() } }
}

pub fn errors_table(wrong: &[(String, String, String)]) -> Table {
    Table { header: ["question", "expected", "written"].map(String::from).to_vec(), rows: wrong.iter().map(|(q, e, w)| vec![q.clone(), e.clone(), w.clone()]).collect() }
}
