//! Day 3's training loop and its gradient check.

use crate::data::spirals::{spirals, xor_blobs};
use crate::event::{Series, Snapshot};
use crate::labs::backprop::{param_names, BackpropView, EXTENT, GRID};
use crate::models::manual_mlp::{numeric_grads, relative_error, Grads, ManualMlp};
use crate::rng::Rng;
use crate::settings::Params;
use burn::prelude::*;

/// Points per class (spirals) or per corner (xor).
const PER_CLASS: usize = 100;
/// Points the gradient check uses: finite differences cost two forward passes per weight.
const CHECK_POINTS: usize = 60;

pub struct BackpropLab {
    lr: f64,
    batch: usize,
    steps: usize,
    classes: usize,
    points: Vec<[f32; 2]>,
    labels: Vec<u8>,
    device: Device,
    model: ManualMlp,
    rng: Rng,
    order: Vec<usize>,
    step: usize,
    /// The last batch and its gradients, for the page and the check.
    last: Option<(Vec<usize>, Grads)>,
    /// Per-step [loss, accuracy] on the device until the next snapshot.
    pending: Vec<Tensor<1>>,
}

impl BackpropLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        let (points, labels, classes) = match params.get("data")? {
            "xor" => {
                let (p, l) = xor_blobs(PER_CLASS / 2, 0.25, seed);
                (p, l, 2)
            }
            _ => {
                let (p, l) = spirals(PER_CLASS, 3, 0.2, seed);
                (p, l, 3)
            }
        };
        let hidden = params.usize("hidden")?.max(1);
        Ok(Self {
            lr: params.f64("lr")?,
            batch: params.usize("batch")?.clamp(1, points.len()),
            steps: params.usize("steps")?,
            classes,
            model: ManualMlp::new(2, hidden, classes, seed, device),
            device: device.clone(),
            rng: Rng::new(seed ^ 0xBAC0),
            order: Vec::new(),
            points,
            labels,
            step: 0,
            last: None,
            pending: Vec::new(),
        })
    }

    fn tensors(&self, indices: &[usize], device: &Device) -> (Tensor<2>, Tensor<2>) {
        let xs: Vec<f32> = indices.iter().flat_map(|&i| self.points[i]).collect();
        let mut ys = vec![0.0f32; indices.len() * self.classes];
        for (row, &i) in indices.iter().enumerate() {
            ys[row * self.classes + self.labels[i] as usize] = 1.0;
        }
        let x = Tensor::from_data(TensorData::new(xs, [indices.len(), 2]), device);
        let y = Tensor::from_data(TensorData::new(ys, [indices.len(), self.classes]), device);
        (x, y)
    }

    fn next_batch(&mut self) -> Vec<usize> {
        if self.order.len() < self.batch {
            let mut fresh: Vec<usize> = (0..self.points.len()).collect();
            for i in (1..fresh.len()).rev() {
                fresh.swap(i, self.rng.below(i as u64 + 1) as usize);
            }
            self.order = fresh;
        }
        self.order.split_off(self.order.len() - self.batch)
    }

    /// burn's autodiff on the same weights and batch: the gradients it finds.
    fn autodiff_grads(&self, batch: &[usize]) -> Tensor<1> {
        let ad = self.device.clone().autodiff();
        // The same device buffers, seen by autodiff as leaves that want gradients.
        let leaf1 = |t: &Tensor<2>| t.clone().autodiff().require_grad();
        let leaf = |t: &Tensor<1>| t.clone().autodiff().require_grad();
        let model = ManualMlp { w1: leaf1(&self.model.w1), b1: leaf(&self.model.b1), w2: leaf1(&self.model.w2), b2: leaf(&self.model.b2) };
        let (x, y) = self.tensors(batch, &ad);
        let grads = ManualMlp::loss(&model.forward(x), y).backward();
        let g = |t: &Tensor<2>| t.grad(&grads).expect("a leaf has a gradient").reshape([-1]);
        let g1 = |t: &Tensor<1>| t.grad(&grads).expect("a leaf has a gradient");
        Tensor::cat(vec![g(&model.w1), g1(&model.b1), g(&model.w2), g1(&model.b2)], 0)
    }

    pub async fn read(&mut self) -> Result<(Snapshot, BackpropView), String> {
        let n_steps = self.pending.len();
        // The check runs on a fixed slice of the data, so its numbers are comparable.
        let check: Vec<usize> = (0..self.points.len()).step_by(self.points.len() / CHECK_POINTS).take(CHECK_POINTS).collect();
        let (x, y) = self.tensors(&check, &self.device);
        let by_hand = self.model.backward(&self.model.forward(x), y).flat(); // [P]
        let by_autodiff = self.autodiff_grads(&check).inner(); // [P]
        let shown = self.last.as_ref().map(|(_, g)| g.flat()).unwrap_or_else(|| by_hand.clone()); // [P]
        let regions = self.model.forward(grid_points(&self.device)).p.argmax(1).float().reshape([-1]); // [GRID²]
        let everyone: Vec<usize> = (0..self.points.len()).collect();
        let (all_x, all_y) = self.tensors(&everyone, &self.device);
        let accuracy = self.model.forward(all_x).p.argmax(1).equal(all_y.argmax(1)).float().mean(); // [1]
        let mut parts = std::mem::take(&mut self.pending);
        let p = by_hand.dims()[0];
        parts.extend([accuracy, self.model.flat(), by_hand, by_autodiff, shown, regions]);
        let data = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
        let values = data.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let (curve, rest) = values.split_at(2 * n_steps);
        let (accuracy, rest) = (rest[0] as f64, &rest[1..]);
        let [loss, acc] = crate::labs::perceptron::per_step_series(self.step - n_steps, curve, self.lr)?;
        let (params, rest) = rest.split_at(p);
        let (hand, rest) = rest.split_at(p);
        let (auto, rest) = rest.split_at(p);
        let (shown, regions) = rest.split_at(p);
        if params.iter().any(|v| !v.is_finite()) {
            return Err(format!("Training diverged at step {}: the weights overflowed. Lower the learning rate ({}) and press Reset.", self.step, self.lr));
        }
        let params64: Vec<f64> = params.iter().map(|&v| v as f64).collect();
        let check_x: Vec<[f32; 2]> = check.iter().map(|&i| self.points[i]).collect();
        let check_y: Vec<u8> = check.iter().map(|&i| self.labels[i]).collect();
        let numeric = numeric_grads(&params64, self.model.dims(), &check_x, &check_y);
        let max_err = |other: &dyn Fn(usize) -> f64| (0..p).map(|k| relative_error(hand[k] as f64, other(k))).fold(0.0, f64::max);
        let vs_autodiff = max_err(&|k| auto[k] as f64);
        let vs_numeric = max_err(&|k| numeric[k]);
        let worst = vs_autodiff.max(vs_numeric);

        let (_, hidden, classes) = self.model.dims();
        let grads = param_names(2, hidden, classes).into_iter().zip(shown.iter().copied()).collect();
        let last_loss = loss.points.last().map(|p| p.1 as f64);
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        metrics.extend(last_loss.map(|l| ("loss".to_string(), l)));
        metrics.push(("accuracy".to_string(), accuracy));
        metrics.push(("grad_check_max_rel_err".into(), worst));
        let note = format!(
            "{} parameters. Gradient check on {CHECK_POINTS} points: max relative error {vs_autodiff:.1e} against burn's autodiff, {vs_numeric:.1e} against finite differences ({}).",
            p,
            if worst < 1e-3 { "below 10⁻³: the hand-written backward pass is right" } else { "above 10⁻³: something is off" }
        );
        let view = BackpropView {
            classes: self.classes,
            points: self.points.iter().zip(&self.labels).map(|(p, l)| [p[0], p[1], *l as f32]).collect(),
            regions: regions.iter().map(|&c| c as u8).collect(),
            grads,
            vs_autodiff,
            vs_numeric,
            note,
        };
        let series = vec![loss, Series { name: "batch_accuracy".into(), points: acc.points }, Series { name: "grad_check_max_rel_err".into(), points: vec![(self.step as u32, worst as f32)] }];
        Ok((Snapshot { step: self.step, total_steps: self.steps, metrics, series, note: view.note.clone(), figures: Vec::new() }, view))
    }
}

/// Cell centres of the region raster, row 0 at the top.
fn grid_points(device: &Device) -> Tensor<2> {
    let cell = 2.0 * EXTENT / GRID as f32;
    let xy: Vec<f32> = (0..GRID * GRID)
        .flat_map(|i| [-EXTENT + ((i % GRID) as f32 + 0.5) * cell, EXTENT - ((i / GRID) as f32 + 0.5) * cell])
        .collect();
    Tensor::from_data(TensorData::new(xy, [GRID * GRID, 2]), device)
}

impl crate::labs::Training for BackpropLab {
    /// One step of gradient descent, every derivative by hand.
    fn step(&mut self) {
        let batch = self.next_batch();
        let (x, y) = self.tensors(&batch, &self.device);
        let cache = self.model.forward(x); // p: [N, C]
        let loss = ManualMlp::loss(&cache, y.clone()); // [1]
        let hits = cache.p.clone().argmax(1).equal(y.clone().argmax(1)).float().mean(); // [1]
        let grads = self.model.backward(&cache, y);
        self.model = self.model.clone().sgd(&grads, self.lr);
        self.pending.push(Tensor::cat(vec![loss, hits], 0));
        self.last = Some((batch, grads));
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.steps
    }
    fn snapshot(&mut self) -> crate::labs::LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}
