//! Day 3: backprop by hand. A 2-layer network's forward and backward passes are
//! matrix products written out in `models/manual_mlp.rs`; every snapshot checks
//! the hand-written gradients against burn's autodiff and finite differences.

use crate::backend::Workload;
use crate::figure::{Figure, FigureSpec, HBars, Plane, Plot};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
use serde::{Deserialize, Serialize};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "Backpropagation is the chain rule, applied one layer at a time from the loss back to the first weights. Here nothing is automatic: the network x → tanh(x·W1 + b1) → softmax(h·W2 + b2) and its cross-entropy loss have their gradients written out as matrix products, in the order you would derive them on paper.",
        "Going backwards: the loss's gradient at the logits is (p − y)/N, where p are the softmax probabilities and y the one-hot labels. Then ∂W2 = hᵀ·δ2 and ∂b2 sums δ2 over the batch; the error flows back through W2ᵀ and is scaled by tanh's slope 1 − h², giving δ1; and ∂W1 = xᵀ·δ1.",
        "How do we know the algebra is right? At every snapshot the page checks each hand-written gradient two ways: against burn's autodiff on the same weights and batch, and against finite differences (nudge one weight by ±10⁻⁶, rerun the forward pass in double precision, take the slope). The largest relative error must stay below 10⁻³.",
        "Press Step to take one batch at a time and watch each weight's gradient, the loss and the class regions move.",
    ],
    settings: &[
        Setting { key: "data", label: "Data", help: "spirals: three interleaved arms. xor: four blobs, opposite corners alike.", kind: Kind::Choice(&["spirals", "xor"]), default: "spirals" },
        Setting { key: "hidden", label: "Hidden units", help: "Width of the tanh layer.", kind: Kind::Int { min: 1, max: 64 }, default: "16" },
        Setting { key: "lr", label: "Learning rate", help: "Plain gradient descent's step size.", kind: Kind::Float { min: 1e-4, max: 100.0 }, default: "1" },
        Setting { key: "batch", label: "Batch size", help: "Points per step, drawn in a seeded shuffle.", kind: Kind::Int { min: 1, max: 600 }, default: "60" },
        Setting { key: "steps", label: "Steps", help: "Gradient-descent steps.", kind: Kind::Int { min: 1, max: 100_000 }, default: "3000" },
    ],
    presets: &[
        Preset { name: "Spirals, 16 hidden units", values: &[("data", "spirals"), ("hidden", "16"), ("lr", "1"), ("batch", "60"), ("steps", "3000")] },
        Preset { name: "XOR blobs, 4 hidden units", values: &[("data", "xor"), ("hidden", "4"), ("lr", "0.5"), ("batch", "20"), ("steps", "500")] },
        Preset { name: "Spirals, too few units (2)", values: &[("data", "spirals"), ("hidden", "2"), ("lr", "1"), ("batch", "60"), ("steps", "3000")] },
    ],
    workload: Workload::Tiny,
    figures: &[
        FigureSpec::plot("regions", "Points and the class regions the network draws"),
        FigureSpec::plot("gradients", "Gradient of the loss for every weight and bias (last batch)"),
        FigureSpec::curve("loss", "Loss per step"),
        FigureSpec::curve("grad_check_max_rel_err", "Gradient check: max relative error"),
    ],
    data: super::no_data,
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

/// Resolution of the class-region raster over [-1.2, 1.2]².
pub const GRID: usize = 40;
pub const EXTENT: f32 = 1.2;

/// The page's picture of the lab.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BackpropView {
    pub classes: usize,
    /// x, y, label of every training point.
    pub points: Vec<[f32; 3]>,
    /// The predicted class of each GRID×GRID cell; row 0 is the top.
    pub regions: Vec<u8>,
    /// Every parameter's gradient on the last batch, named like "W1[0,3]".
    pub grads: Vec<(String, f32)>,
    /// The largest relative errors of the hand-written gradients.
    pub vs_autodiff: f64,
    pub vs_numeric: f64,
    pub note: String,
}

impl BackpropView {
    /// The class regions with the points, and every gradient as a bar.
    pub fn figures(&self) -> Vec<Figure> {
        let cell = 2.0 * EXTENT / GRID as f32;
        let mut right = 0;
        for [x, y, c] in &self.points {
            let col = (((x + EXTENT) / cell) as usize).min(GRID - 1);
            let row = (((EXTENT - y) / cell) as usize).min(GRID - 1);
            right += (self.regions[row * GRID + col] as f32 == *c) as usize;
        }
        let regions = format!(
            "{} classes, {} points; {right} lie in the region of their own class. Shade = the class the network predicts there.",
            self.classes,
            self.points.len()
        );
        let plane = Plane {
            lo: -EXTENT,
            hi: EXTENT,
            side: GRID,
            cells: self.regions.iter().map(|&c| c as f32).collect(),
            classes: self.classes as u8,
            points: self.points.iter().map(|[x, y, c]| [*x, *y, *c, 0.0]).collect(),
            lines: Vec::new(),
            dark_lines: false,
        };
        let all: Vec<String> = self.grads.iter().map(|(n, g)| format!("{n} {g:+.2e}")).collect();
        let grads = HBars { bars: self.grads.clone(), x_desc: String::new(), values: true };
        vec![
            Figure::new("regions", Plot::Plane(plane), regions),
            Figure::new("gradients", Plot::HBars(grads), format!("Gradients on the last batch: {}.", all.join(", "))),
        ]
    }
}

/// Names of the flat parameters, in `manual_mlp::NAMES` order.
pub fn param_names(inputs: usize, hidden: usize, classes: usize) -> Vec<String> {
    let mut names = Vec::new();
    names.extend((0..inputs * hidden).map(|k| format!("W1[{},{}]", k / hidden, k % hidden)));
    names.extend((0..hidden).map(|j| format!("b1[{j}]")));
    names.extend((0..hidden * classes).map(|k| format!("W2[{},{}]", k / classes, k % classes)));
    names.extend((0..classes).map(|c| format!("b2[{c}]")));
    names
}
