//! Day 2's training: minibatch Adam on MNIST, the test pass, and predictions
//! for the digit the user draws.

use crate::stats::share_metrics;
use crate::data::files::DataFiles;
use crate::data::mnist::{self, Mnist, CLASSES, PIXELS};
use crate::event::{Series, Snapshot};
use crate::figure::Figure;
use crate::labs::mnist::{check_sketch, probs_figure, MnistView, TestReport};
use crate::labs::{LocalFuture, Training};
use crate::models::mlp::{Activation, Mlp, MlpConfig};
use crate::rng::Rng;
use crate::settings::Params;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use web_time::Instant;

/// Test passes per epoch: often enough for a live curve, rare enough to cost little.
const TESTS_PER_EPOCH: usize = 4;
/// The accuracy whose first crossing the lab times.
const TARGET: f32 = 0.97;

pub struct MnistLab {
    hidden: usize,
    batch: usize,
    lr: f64,
    train_size: usize,
    total: usize,
    data: Mnist,
    /// Test digits as one input tensor, uploaded once: [10000, 784].
    test_x: Tensor<2>,
    model: Option<Mlp>,
    optim: ModuleOptimizer,
    rng: Rng,
    order: Vec<usize>,
    step: usize,
    /// Per-step [loss, batch accuracy] on the device until the next snapshot.
    pending: Vec<Tensor<1>>,
    last_test: Option<(usize, f32)>,
    /// Seconds spent training and testing (not paused), and when 97% was first reached.
    busy: f64,
    time_to_target: Option<f64>,
    /// Snapshots taken so far: the first carries every figure.
    snapshots: usize,
}

impl MnistLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let data = Mnist::load(files)?;
        let seed = params.u64("seed")?;
        device.seed(seed);
        let device = device.clone().autodiff();
        let (hidden, batch) = (params.usize("hidden")?.max(1), params.usize("batch")?.max(1));
        let train_size = params.usize("train_size")?.clamp(1, data.train.len());
        let epochs = params.usize("epochs")?.max(1);
        let all: Vec<usize> = (0..data.test.len()).collect();
        let test_x = Tensor::from_data(TensorData::new(data.test.inputs(&all), [data.test.len(), PIXELS]), &device);
        let model = MlpConfig::new(PIXELS, hidden, CLASSES).with_seed(seed).with_activation(Activation::Relu).init(&device);
        Ok(Self {
            hidden,
            batch,
            lr: params.f64("lr")?,
            train_size,
            total: epochs * train_size.div_ceil(batch),
            data,
            test_x,
            model: Some(model),
            optim: AdamConfig::new().init(),
            rng: Rng::new(seed ^ 0x4D4E_4953),
            order: Vec::new(),
            step: 0,
            pending: Vec::new(),
            last_test: None,
            busy: 0.0,
            time_to_target: None,
            snapshots: 0,
        })
    }

    /// Stops after `steps` steps (other labs train this network for a while).
    pub fn with_total(mut self, steps: usize) -> Self {
        self.total = steps.max(1);
        self
    }

    fn steps_per_epoch(&self) -> usize {
        self.train_size.div_ceil(self.batch)
    }

    /// The next batch's indices: a fresh seeded shuffle at each epoch's start.
    fn next_batch(&mut self) -> Vec<usize> {
        let in_epoch = self.step % self.steps_per_epoch();
        if in_epoch == 0 {
            self.order = (0..self.train_size).collect();
            for i in (1..self.order.len()).rev() {
                let j = self.rng.below(i as u64 + 1) as usize;
                self.order.swap(i, j);
            }
        }
        let start = in_epoch * self.batch;
        self.order[start..(start + self.batch).min(self.train_size)].to_vec()
    }

    fn test_due(&self) -> bool {
        let every = (self.steps_per_epoch() / TESTS_PER_EPOCH).max(1);
        let last = self.last_test.map_or(0, |(s, _)| s);
        self.step > 0 && (self.step - last >= every || (self.step >= self.total && last != self.step))
    }

    /// Classifies all 10,000 test digits.
    async fn test(&mut self) -> Result<TestReport, String> {
        let started = Instant::now();
        let model = self.model.as_ref().expect("model is present between steps");
        let predicted = model.forward(self.test_x.clone()).detach().argmax(1).reshape([-1]); // [10000]
        let data = predicted.into_data_async().await.map_err(|e| format!("reading test predictions failed: {e:?}"))?;
        let predicted: Vec<u8> = data.convert::<i64>().try_to_vec::<i64>().map_err(|e| format!("{e:?}"))?.iter().map(|&p| p as u8).collect();
        let test = &self.data.test;
        let report = TestReport::new(self.step, &predicted, &test.labels, |i| test.image(i).to_vec());
        self.busy += started.elapsed().as_secs_f64();
        if report.accuracy >= TARGET && self.time_to_target.is_none() {
            self.time_to_target = Some(self.busy);
        }
        self.last_test = Some((self.step, report.accuracy));
        Ok(report)
    }

    /// The snapshot, without its figures, and the view they are drawn from.
    pub async fn read(&mut self) -> Result<(Snapshot, MnistView), String> {
        let first = self.step - self.pending.len();
        let mut series = Vec::new();
        let mut train_loss = None;
        if !self.pending.is_empty() {
            let flat = Tensor::cat(std::mem::take(&mut self.pending), 0);
            let data = flat.into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
            let values = data.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let [loss, acc] = crate::labs::perceptron::per_step_series(first, &values, self.lr)?;
            train_loss = loss.points.last().map(|p| p.1);
            series.push(Series { name: "train_loss".into(), points: loss.points });
            series.push(Series { name: "batch_accuracy".into(), points: acc.points });
        }
        let report = if self.test_due() { Some(self.test().await?) } else { None };
        if let Some(r) = &report {
            series.push(Series { name: "test_accuracy".into(), points: vec![(r.step as u32, r.accuracy)] });
        }
        let mut metrics = vec![("step".to_string(), self.step as f64), ("epoch".into(), self.step as f64 / self.steps_per_epoch() as f64)];
        if let Some(l) = train_loss {
            metrics.push(("train_loss".into(), l as f64));
        }
        if let Some((_, acc)) = self.last_test {
            metrics.extend(share_metrics("test_accuracy", acc as f64, self.data.test.labels.len()));
        }
        if let Some(t) = self.time_to_target {
            metrics.push(("seconds_to_97".into(), t));
        }
        metrics.push(("train_seconds".into(), self.busy));
        let note = self.note();
        let snap = Snapshot { step: self.step, total_steps: self.total, metrics, series, note: note.clone(), figures: Vec::new() };
        Ok((snap, MnistView { report, note }))
    }

    fn note(&self) -> String {
        let params = PIXELS * self.hidden + self.hidden + self.hidden * CLASSES + CLASSES;
        let data = if self.train_size < mnist::TRAIN_SIZE {
            format!("the first {} of the 60,000 training digits (a subset: the default uses all of them)", self.train_size)
        } else {
            "all 60,000 training digits".to_string()
        };
        let status = match self.last_test {
            Some((step, acc)) => format!(" At step {step}, {:.2}% of the 10,000 test digits are right.", acc * 100.0),
            None => String::new(),
        };
        format!("784 → {} → 10: {params} parameters, trained on {data}, batches of {}.{status}", self.hidden, self.batch)
    }

    /// Hidden-layer activations of the first `n` test digits, with their labels.
    pub async fn hidden(&self, n: usize) -> Result<(Vec<u8>, Vec<Vec<f32>>), String> {
        let n = n.min(self.data.test.len());
        let model = self.model.as_ref().expect("model is present between steps");
        let x = self.test_x.clone().slice([0..n, 0..PIXELS]);
        let h = model.hidden(x).detach(); // [n, H]
        let flat = h.into_data_async().await.map_err(|e| format!("reading activations failed: {e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        Ok((self.data.test.labels[..n].to_vec(), flat.chunks(self.hidden).map(<[f32]>::to_vec).collect()))
    }

    /// Class probabilities for a drawn digit: 784 pixels in 0–1, white ink on black.
    pub async fn probabilities(&self, pixels: &[f32]) -> Result<Vec<f32>, String> {
        check_sketch(pixels)?;
        let device = self.test_x.device();
        let x: Vec<f32> = pixels.iter().map(|&p| (p.clamp(0.0, 1.0) - mnist::MEAN) / mnist::STD).collect();
        let x = Tensor::<2>::from_data(TensorData::new(x, [1, PIXELS]), &device);
        let model = self.model.as_ref().expect("model is present between steps");
        let probs = softmax(model.forward(x).detach(), 1).reshape([-1]); // [10]
        let data = probs.into_data_async().await.map_err(|e| format!("reading the prediction failed: {e:?}"))?;
        data.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))
    }
}

impl Training for MnistLab {
    /// One optimizer step: forward → cross-entropy → backward → gradients → Adam.
    fn step(&mut self) {
        let started = Instant::now();
        let indices = self.next_batch();
        let n = indices.len();
        let model = self.model.take().expect("model is present between steps");
        let device = self.test_x.device();
        let x = Tensor::<2>::from_data(TensorData::new(self.data.train.inputs(&indices), [n, PIXELS]), &device);
        let labels: Vec<i64> = indices.iter().map(|&i| self.data.train.labels[i] as i64).collect();
        let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [n]), &device);
        let logits = model.forward(x); // [N, 10]
        let loss = CrossEntropyLossConfig::new().init(&device).forward(logits.clone(), y.clone()); // [1]
        let hits = logits.detach().argmax(1).reshape([n]).equal(y).float().mean(); // [1]
        let grads = loss.backward();
        let grads = GradientsParams::from_grads(grads, &model);
        self.model = Some(self.optim.step(self.lr, model, grads));
        self.pending.push(Tensor::cat(vec![loss.detach(), hits.reshape([1])], 0));
        self.step += 1;
        self.busy += started.elapsed().as_secs_f64();
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.total
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        Box::pin(async move {
            let (mut snap, view) = self.read().await?;
            snap.figures = view.figures(self.snapshots == 0);
            self.snapshots += 1;
            Ok(snap)
        })
    }
    fn predict<'a>(&'a self, input: &'a [f32]) -> LocalFuture<'a, Result<Figure, String>> {
        Box::pin(async move { Ok(probs_figure(&self.probabilities(input).await?)) })
    }
}
