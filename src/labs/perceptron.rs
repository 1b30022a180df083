//! Day 1: the perceptron on AND, OR and XOR, and the MLP that fixes XOR.

use crate::backend::Workload;
use crate::data::gates::Gate;
#[cfg(feature = "engine")]
use crate::data::gates::INPUTS;
use crate::event::Series;
#[cfg(feature = "engine")]
use crate::event::Snapshot;
use crate::figure::{Figure, FigureSpec, HBars, Plane, Plot};
use crate::labs::{LabSpec, Preset, Takes};
#[cfg(feature = "engine")]
use crate::models::mlp::{Mlp, MlpConfig};
#[cfg(feature = "engine")]
use crate::models::perceptron::{Perceptron, PerceptronConfig};
use crate::settings::{Kind, Params, Setting};
#[cfg(feature = "engine")]
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
#[cfg(feature = "engine")]
use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "A perceptron is the smallest learning machine: it weighs its two inputs, adds a bias, and says 1 if the sum is positive. Geometrically, it draws one straight line across the plane and calls everything on one side “1”.",
        "Rosenblatt's learning rule needs no calculus. Whenever a point is on the wrong side, nudge the weights towards it: w ← w + lr·(y − ŷ)·x. For AND and OR a separating line exists, and the rule is guaranteed to find one.",
        "XOR is different: (0,1) and (1,0) must be 1 while (0,0) and (1,1) are 0, and no single line does that. The perceptron keeps fixing one point by breaking another, forever. Minsky and Papert's 1969 proof of this stalled the field for a decade.",
        "The fix is a hidden layer. Switch the model to MLP: each hidden unit draws its own line, the output combines them, and gradient descent through burn's autodiff finds weights that carve out XOR's diagonal band.",
    ],
    settings: &[
        Setting { key: "gate", label: "Gate", help: "The truth table to learn.", kind: Kind::Choice(Gate::NAMES), default: "and" },
        Setting {
            key: "model",
            label: "Model",
            help: "perceptron: Rosenblatt's rule. mlp: a 2-H-1 network trained by backprop.",
            kind: Kind::Choice(&["perceptron", "mlp"]),
            default: "perceptron",
        },
        Setting { key: "hidden", label: "Hidden units", help: "Width of the MLP's hidden layer.", kind: Kind::Int { min: 1, max: 32 }, default: "4" },
        Setting { key: "lr", label: "Learning rate", help: "Step size of each update.", kind: Kind::Float { min: 1e-4, max: 1e6 }, default: "0.1" },
        Setting { key: "steps", label: "Steps", help: "Perceptron: epochs over the 4 points. MLP: full-batch optimizer steps.", kind: Kind::Int { min: 1, max: 100_000 }, default: "100" },
    ],
    presets: &[
        Preset { name: "AND · perceptron", values: &[("gate", "and"), ("model", "perceptron"), ("lr", "0.1"), ("steps", "100")] },
        Preset { name: "OR · perceptron", values: &[("gate", "or"), ("model", "perceptron"), ("lr", "0.1"), ("steps", "100")] },
        Preset { name: "XOR · perceptron (fails)", values: &[("gate", "xor"), ("model", "perceptron"), ("lr", "0.1"), ("steps", "100")] },
        Preset { name: "XOR · MLP", values: &[("gate", "xor"), ("model", "mlp"), ("hidden", "4"), ("lr", "0.1"), ("steps", "100")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::plot("boundary", "Decision boundary"),
        FigureSpec::plot("weights", "Weights and biases"),
        FigureSpec::curve("loss", "Loss per step"),
        FigureSpec::share("accuracy", "Accuracy per step"),
    ],
    data: super::no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

/// Resolution of the decision-boundary heatmap, over [-0.5, 1.5]².
pub const GRID: usize = 32;
pub const GRID_MIN: f32 = -0.5;
pub const GRID_MAX: f32 = 1.5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Perceptron,
    Mlp,
}

/// The lab's settings, typed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PerceptronLabConfig {
    pub gate: Gate,
    pub model: ModelKind,
    pub hidden: usize,
    pub lr: f64,
    pub steps: usize,
    pub seed: u64,
}

impl PerceptronLabConfig {
    pub fn from_params(p: &Params) -> Result<Self, String> {
        Ok(Self {
            gate: Gate::parse(p.get("gate")?).ok_or("gate must be and, or or xor")?,
            model: if p.get("model")? == "mlp" { ModelKind::Mlp } else { ModelKind::Perceptron },
            hidden: p.usize("hidden")?.max(1),
            lr: p.f64("lr")?,
            steps: p.usize("steps")?,
            seed: p.u64("seed")?,
        })
    }
}

/// What the page draws for this lab.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PerceptronView {
    pub gate: Gate,
    pub model: ModelKind,
    /// P(output = 1) on a GRID×GRID raster; row 0 is the top (y = GRID_MAX).
    pub grid: Vec<f32>,
    /// The four points: x, y, target, prediction.
    pub points: Vec<[f32; 4]>,
    /// Lines w1·x + w2·y + b = 0: the perceptron's, or each hidden unit's.
    pub lines: Vec<[f32; 3]>,
    /// Every parameter, named.
    pub weights: Vec<(String, f32)>,
}

impl PerceptronView {
    /// The plane with its decision regions, and every weight as a bar.
    pub fn figures(self) -> Vec<Figure> {
        let correct = self.points.iter().filter(|p| (p[2] - p[3]).abs() < 0.5).count();
        let lines = match (self.model, self.lines.first()) {
            (ModelKind::Perceptron, Some([w1, w2, b])) => format!("line {w1:.3}·x₁ + {w2:.3}·x₂ + {b:.3} = 0"),
            _ => format!("{} hidden-unit lines in grey", self.lines.len()),
        };
        let boundary = format!("Decision boundary: {correct} of 4 points right (red ring = wrong); {lines}. Shade = P(output 1).");
        let shown: Vec<String> = self.weights.iter().take(8).map(|(k, v)| format!("{k} {v:+.3}")).collect();
        let more = if self.weights.len() > 8 { format!(" … ({} in all)", self.weights.len()) } else { String::new() };
        let weights = format!("Weights: {}{more}", shown.join(", "));
        let plane = Plane {
            lo: GRID_MIN,
            hi: GRID_MAX,
            side: GRID,
            cells: self.grid,
            classes: 0,
            points: self.points.iter().map(|[x, y, t, p]| [*x, *y, *t, ((t - p).abs() > 0.5) as u8 as f32]).collect(),
            lines: self.lines,
            dark_lines: self.model == ModelKind::Perceptron,
        };
        vec![
            Figure::new("boundary", Plot::Plane(plane), boundary),
            Figure::new("weights", Plot::HBars(HBars { bars: self.weights, x_desc: String::new(), values: true }), weights),
        ]
    }
}

#[cfg(feature = "engine")]
enum Learner {
    Rule(Perceptron),
    Mlp { model: Mlp, optim: ModuleOptimizer },
}

#[cfg(feature = "engine")]
pub struct PerceptronLab {
    config: PerceptronLabConfig,
    x: Tensor<2>,      // [4, 2]
    y: Tensor<2>,      // [4, 1]
    grid_x: Tensor<2>, // [GRID², 2]
    /// Always `Some` between calls; taken out while a step moves it.
    learner: Option<Learner>,
    step: usize,
    /// Per-step [loss, accuracy], kept on the device until the next snapshot.
    pending: Vec<Tensor<1>>,
}

#[cfg(feature = "engine")]
impl PerceptronLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let config = PerceptronLabConfig::from_params(params)?;
        device.seed(config.seed);
        // Only the MLP needs gradients; the perceptron rule runs on the plain device.
        let device = match config.model {
            ModelKind::Mlp => device.clone().autodiff(),
            ModelKind::Perceptron => device.clone(),
        };
        let xs: Vec<f32> = INPUTS.iter().flatten().copied().collect();
        let x = Tensor::<2>::from_data(TensorData::new(xs, [4, 2]), &device);
        let y = Tensor::<2>::from_data(TensorData::new(config.gate.targets().to_vec(), [4, 1]), &device);
        let learner = match config.model {
            ModelKind::Perceptron => Learner::Rule(PerceptronConfig::new(2).with_seed(config.seed).init(&device)),
            ModelKind::Mlp => Learner::Mlp {
                model: MlpConfig::new(2, config.hidden, 1).with_seed(config.seed).init(&device),
                optim: AdamConfig::new().init(),
            },
        };
        Ok(Self { grid_x: grid_points(&device), config, x, y, learner: Some(learner), step: 0, pending: Vec::new() })
    }

    pub fn config(&self) -> &PerceptronLabConfig {
        &self.config
    }

    pub async fn read(&mut self) -> Result<Snapshot, String> {
        // Everything we show goes into one flat tensor, so one read brings it back.
        let n_steps = self.pending.len();
        let learner = self.learner.as_ref().expect("learner is present between steps");
        let (score, grid_score, params) = match learner {
            Learner::Rule(p) => (
                p.score(self.x.clone()),
                p.score(self.grid_x.clone()).greater_equal_elem(0.0).float(),
                vec![p.weight.val().reshape([-1]), p.bias.val()],
            ),
            Learner::Mlp { model, .. } => (
                model.forward(self.x.clone()),
                burn::tensor::activation::sigmoid(model.forward(self.grid_x.clone())),
                vec![
                    model.fc1.weight.val().reshape([-1]),
                    model.fc1.bias.as_ref().expect("fc1 has a bias").val(),
                    model.fc2.weight.val().reshape([-1]),
                    model.fc2.bias.as_ref().expect("fc2 has a bias").val(),
                ],
            ),
        };
        let loss = match learner {
            Learner::Rule(p) => p.criterion(self.x.clone(), self.y.clone()),
            Learner::Mlp { .. } => logistic_loss(score.clone(), self.y.clone()),
        };
        let acc = accuracy(score.clone(), self.y.clone());
        let preds = score.greater_equal_elem(0.0).float().reshape([-1]);
        let mut parts: Vec<Tensor<1>> = std::mem::take(&mut self.pending);
        parts.extend([loss, acc, preds, grid_score.reshape([-1])]);
        parts.extend(params);
        let flat = Tensor::cat(parts, 0).detach();
        let data = flat.into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
        let values: Vec<f32> = data.try_to_vec::<f32>().map_err(|e| format!("unexpected data: {e:?}"))?;

        let (curve, rest) = values.split_at(2 * n_steps);
        let [loss_series, acc_series] = per_step_series(self.step - n_steps, curve, self.config.lr)?;
        let (loss, acc) = (rest[0], rest[1]);
        let preds = &rest[2..6];
        let grid = rest[6..6 + GRID * GRID].to_vec();
        let params = &rest[6 + GRID * GRID..];
        if !loss.is_finite() || params.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "Training diverged at step {}: the weights overflowed. Lower the learning rate ({}) and press Reset.",
                self.step, self.config.lr
            ));
        }
        let targets = self.config.gate.targets();
        let points = INPUTS.iter().zip(targets).zip(preds).map(|((p, t), y)| [p[0], p[1], t, *y]).collect();
        let (lines, weights) = self.describe(params);
        let view = PerceptronView { gate: self.config.gate, model: self.config.model, grid, points, lines, weights };
        Ok(Snapshot {
            step: self.step,
            total_steps: self.config.steps,
            metrics: vec![("loss".into(), loss as f64), ("accuracy".into(), acc as f64), ("step".into(), self.step as f64)],
            series: vec![loss_series, acc_series],
            note: self.note(acc),
            figures: view.figures(),
        })
    }

}

#[cfg(feature = "engine")]
impl crate::labs::Training for PerceptronLab {
    /// Perceptron: one epoch of the rule over the four points, in order.
    /// MLP: one full-batch step of gradient descent on the logistic loss.
    fn step(&mut self) {
        let lr = self.config.lr;
        let learner = self.learner.take().expect("learner is present between steps");
        self.learner = Some(match learner {
            Learner::Rule(mut p) => {
                for i in 0..4 {
                    let xi = self.x.clone().slice([i..i + 1, 0..2]); // [1, 2]
                    let yi = self.y.clone().slice([i..i + 1, 0..1]); // [1, 1]
                    p = p.learn(xi, yi, lr);
                }
                let loss = p.criterion(self.x.clone(), self.y.clone()); // [1]
                let acc = accuracy(p.score(self.x.clone()), self.y.clone()); // [1]
                self.pending.push(Tensor::cat(vec![loss, acc], 0));
                Learner::Rule(p)
            }
            Learner::Mlp { model, mut optim } => {
                let logits = model.forward(self.x.clone()); // [4, 1]
                let loss = logistic_loss(logits.clone(), self.y.clone()); // [1]
                let acc = accuracy(logits.detach(), self.y.clone()); // [1]
                let grads = loss.backward();
                let grads = GradientsParams::from_grads(grads, &model);
                let model = optim.step(lr, model, grads);
                self.pending.push(Tensor::cat(vec![loss.detach(), acc], 0));
                Learner::Mlp { model, optim }
            }
        });
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.config.steps
    }
    fn snapshot(&mut self) -> crate::labs::LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(self.read())
    }
}

#[cfg(feature = "engine")]
impl PerceptronLab {
    /// Names the flat parameters and turns them into lines on the plane.
    fn describe(&self, params: &[f32]) -> (Vec<[f32; 3]>, Vec<(String, f32)>) {
        match self.config.model {
            ModelKind::Perceptron => {
                let (w1, w2, b) = (params[0], params[1], params[2]);
                (vec![[w1, w2, b]], vec![("w1".into(), w1), ("w2".into(), w2), ("b".into(), b)])
            }
            ModelKind::Mlp => {
                let h = self.config.hidden;
                let (w, rest) = params.split_at(2 * h); // fc1.weight is [2, H], row-major
                let (b, rest) = rest.split_at(h);
                let (v, c) = rest.split_at(h);
                let lines = (0..h).map(|j| [w[j], w[h + j], b[j]]).collect();
                let mut named = Vec::with_capacity(4 * h + 1);
                for j in 0..h {
                    named.push((format!("h{j}.w1"), w[j]));
                    named.push((format!("h{j}.w2"), w[h + j]));
                    named.push((format!("h{j}.b"), b[j]));
                    named.push((format!("out.v{j}"), v[j]));
                }
                named.push(("out.b".into(), c[0]));
                (lines, named)
            }
        }
    }

    fn note(&self, acc: f32) -> String {
        let gate = self.config.gate.name().to_uppercase();
        match (self.config.model, self.config.gate.linearly_separable(), acc >= 1.0) {
            (ModelKind::Perceptron, false, _) => format!(
                "{gate} is not linearly separable: no single line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other. The perceptron rule keeps moving its line and never gets all four right (at best 3 of 4). Try the MLP."
            ),
            (ModelKind::Perceptron, true, true) => format!("{gate} is linearly separable, and the perceptron has found a separating line."),
            (ModelKind::Perceptron, true, false) => format!("{gate} is linearly separable, so the rule will find a separating line: keep stepping."),
            (ModelKind::Mlp, _, true) => format!("The MLP gets all four points of {gate} right: its hidden units' lines combine into a region no single line could draw."),
            (ModelKind::Mlp, _, false) => format!("The MLP is still learning {gate}: watch the hidden units' lines move."),
        }
    }
}

/// Turns the per-step [loss, accuracy] pairs read back from the device into
/// curves, or says that training diverged.
pub fn per_step_series(first: usize, curve: &[f32], lr: f64) -> Result<[Series; 2], String> {
    let mut loss = Series { name: "loss".into(), points: Vec::with_capacity(curve.len() / 2) };
    let mut acc = Series { name: "accuracy".into(), points: Vec::with_capacity(curve.len() / 2) };
    for (i, pair) in curve.chunks(2).enumerate() {
        let step = (first + i + 1) as u32;
        if !pair[0].is_finite() {
            return Err(format!(
                "Training diverged at step {step}: the loss became {}. The learning rate {lr} is too high; lower it and press Reset.",
                pair[0]
            ));
        }
        loss.points.push((step, pair[0]));
        acc.points.push((step, pair[1]));
    }
    Ok([loss, acc])
}

#[cfg(feature = "engine")]
/// Mean logistic loss of logits z against 0/1 targets y, written in the stable
/// form max(z, 0) − y·z + log(1 + e^−|z|).
pub fn logistic_loss(z: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let pos = z.clone().clamp_min(0.0); // [N, 1]
    let yz = y * z.clone(); // [N, 1]
    let soft = z.abs().neg().exp().add_scalar(1.0).log(); // [N, 1]
    (pos - yz + soft).mean() // [1]
}

#[cfg(feature = "engine")]
/// Share of points whose sign of `score` matches the 0/1 target.
pub fn accuracy(score: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let pred = score.greater_equal_elem(0.0).float(); // [N, 1]
    let wrong = (pred - y).abs(); // [N, 1]
    wrong.mean().neg().add_scalar(1.0) // [1]
}

#[cfg(feature = "engine")]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nan_loss_stops_training_with_a_message() {
        let [loss, acc] = per_step_series(10, &[0.5, 0.75, 0.25, 1.0], 0.1).unwrap();
        assert_eq!(loss.points, vec![(11, 0.5), (12, 0.25)]);
        assert_eq!(acc.points, vec![(11, 0.75), (12, 1.0)]);
        let err = per_step_series(10, &[0.5, 0.75, f32::NAN, 0.5], 30.0).unwrap_err();
        assert!(err.contains("diverged at step 12"), "{err}");
        assert!(err.contains("learning rate 30"), "{err}");
        assert!(per_step_series(0, &[f32::INFINITY, 0.0], 1.0).is_err());
    }
}

#[cfg(feature = "engine")]
/// The centres of the heatmap's cells, row 0 at the top.
fn grid_points(device: &Device) -> Tensor<2> {
    let step = (GRID_MAX - GRID_MIN) / GRID as f32;
    let mut xy = Vec::with_capacity(GRID * GRID * 2);
    for row in 0..GRID {
        for col in 0..GRID {
            xy.push(GRID_MIN + (col as f32 + 0.5) * step);
            xy.push(GRID_MAX - (row as f32 + 0.5) * step);
        }
    }
    Tensor::from_data(TensorData::new(xy, [GRID * GRID, 2]), device)
}
