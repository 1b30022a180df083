//! Day 26: a CoT model tuned by a reward, live. Each step writes answers to a
//! few training questions (several samples each, drawn at a temperature with
//! the KV cache), scores them (1 for the right answer, 0.1 for a wrong one
//! that at least writes an answer line), and moves the model towards the
//! better ones, held near the model it started from by a KL penalty.
//!
//! Two methods: PPO (a value head, GAE, the clipped objective, a few epochs
//! over each batch) and GRPO (no value head: each sample's advantage is its
//! reward against the others drawn for the same question).

use crate::backend::Workload;
use crate::data::reasoning::TASKS;
use crate::figure::FigureSpec;
use crate::labs::{no_data, LabSpec, Preset};
use crate::settings::{Kind, Setting};

pub mod math;
#[cfg(feature = "engine")]
mod rollout;
#[cfg(feature = "engine")]
mod train;
#[cfg(feature = "engine")]
pub use train::RlLab;

static SETTINGS: [Setting; 17] = [
    Setting { key: "model", label: "Model", help: "A CoT model kept in this browser to tune (its content hash); empty: a CoT model is trained first for Warm-up steps.", kind: Kind::Text { max: 64 }, default: "" },
    Setting { key: "method", label: "Method", help: "ppo: a value head and GAE, clipped steps; grpo: each sample against the others for the same question, no value head.", kind: Kind::Choice(&["ppo", "grpo"]), default: "grpo" },
    Setting { key: "task", label: "Task", help: "The problems to tune on (the model's own task, usually one step harder).", kind: Kind::Choice(&TASKS), default: "add" },
    Setting { key: "level", label: "Difficulty", help: "Digits, hops or operations of the problems tuned on and scored.", kind: Kind::Int { min: 1, max: 6 }, default: "2" },
    Setting { key: "reward", label: "Reward", help: "answer: 1 for the right answer (0.1 for a wrong one with an answer line); seven: a toy, 1 when the answer written is 7 whatever the question.", kind: Kind::Choice(&["answer", "seven"]), default: "answer" },
    Setting { key: "warmup", label: "Warm-up steps", help: "Without a kept model: CoT training steps before tuning starts.", kind: Kind::Int { min: 0, max: 20_000 }, default: "300" },
    Setting { key: "layers", label: "Blocks", help: "The warm-up model's transformer blocks.", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
    Setting { key: "width", label: "Width C", help: "The warm-up model's residual stream.", kind: Kind::Choice(&["32", "48", "64", "96", "128"]), default: "64" },
    Setting { key: "questions", label: "Questions per step", help: "Training questions answered each step.", kind: Kind::Int { min: 1, max: 64 }, default: "8" },
    Setting { key: "group", label: "Samples per question", help: "Answers drawn for each question (GRPO compares them).", kind: Kind::Int { min: 2, max: 16 }, default: "8" },
    Setting { key: "temperature", label: "Temperature", help: "How the answers are drawn: 1 is the model's own distribution.", kind: Kind::Float { min: 0.1, max: 2.0 }, default: "1.0" },
    Setting { key: "lr", label: "Learning rate", help: "AdamW's step size while tuning.", kind: Kind::Float { min: 1e-6, max: 0.01 }, default: "0.0003" },
    Setting { key: "kl", label: "KL coefficient", help: "How strongly the tuned model is held near the one it started from.", kind: Kind::Float { min: 0.0, max: 1.0 }, default: "0.02" },
    Setting { key: "clip", label: "Clip range", help: "How far one batch may move a token's probability ratio (1 ± clip).", kind: Kind::Float { min: 0.01, max: 1.0 }, default: "0.2" },
    Setting { key: "epochs", label: "Epochs per batch", help: "Optimizer steps on each batch of answers.", kind: Kind::Int { min: 1, max: 8 }, default: "2" },
    Setting { key: "steps", label: "Steps", help: "Batches of answers to tune on.", kind: Kind::Int { min: 1, max: 10_000 }, default: "60" },
    Setting { key: "eval_every", label: "Evaluate every", help: "Tuning steps between scores on held-out problems.", kind: Kind::Int { min: 1, max: 10_000 }, default: "20" },
];

const FIGURES: &[FigureSpec] = &[
    FigureSpec::curve("train_loss", "Warm-up (without a kept model): the CoT model's training loss"),
    FigureSpec::curve("reward", "Mean reward of the answers drawn each step"),
    FigureSpec::share("accuracy", "Exact-match accuracy on held-out problems (greedy)"),
    FigureSpec::curve("kl", "KL from the starting model, per written character"),
    FigureSpec::wide("rollouts", "Recent answers, each character shaded by its advantage"),
    FigureSpec::table("recent", "Recent answers with their rewards"),
];

const PRESETS: &[Preset] = &[
    Preset { name: "GRPO on 2-digit addition", values: &[("method", "grpo"), ("task", "add"), ("level", "2")] },
    Preset { name: "PPO on 2-digit addition", values: &[("method", "ppo"), ("task", "add"), ("level", "2")] },
];

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "Reinforcement learning on a CoT model: it answers training questions by drawing characters at a temperature, several answers a question, and each answer is scored, 1 when its final answer is right (0.1 for a wrong one that at least writes an answer line). Then the model is moved towards the answers that scored better than expected, and a KL penalty holds it near the model it started from so that it cannot drift into nonsense that happens to score.",
        "PPO learns a value head that predicts the reward from each point of an answer; a character's advantage is how much better things went than that prediction (GAE), and the clipped objective stops one batch from moving a probability far. GRPO, what reasoning models are tuned with today, drops the value head: each answer is compared with the other answers to the same question. Where every answer is right, or every one wrong, there is nothing to learn, so it helps most at the edge of what the model can do.",
    ],
    settings: &SETTINGS,
    presets: PRESETS,
    workload: Workload::Large,
    figures: FIGURES,
    data: no_data,
    live: &[],
};
