//! Days 11–13: training one layer of self-attention on a letter task, and
//! reading back what it does with the user's text.

use crate::stats::share_metrics;
use crate::data::sequences::{encode_letters, letter, letter_batch, LetterTask, LETTERS};
use crate::event::{Series, Snapshot};
use crate::labs::attention::{AttentionView, HeadFocus, NamedMatrix};
use crate::models::attention::scores;
use crate::models::self_attention::{SelfAttentionNet, SelfAttentionNetConfig};
use crate::rng::Rng;
use crate::settings::Params;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use web_time::Instant;

/// Held-out strings scored at each snapshot.
const EVAL_BATCH: usize = 256;

pub struct AttentionLab {
    task: LetterTask,
    len: usize,
    batch: usize,
    lr: f64,
    steps: usize,
    text: String,
    /// Day 11 shows every matrix.
    show_matrices: bool,
    device: Device,
    net: Option<SelfAttentionNet>,
    optim: ModuleOptimizer,
    rng: Rng,
    step: usize,
    pending: Vec<Tensor<1>>,
    /// Seconds spent in `step`, for the time per step.
    busy: f64,
}

/// Matrices → rows of numbers on the host, in one read from the device (on
/// WebGPU every read waits for the queue, so the snapshot makes one, not eight).
async fn read_matrices(parts: Vec<Tensor<2>>) -> Result<Vec<Vec<Vec<f32>>>, String> {
    let dims: Vec<[usize; 2]> = parts.iter().map(|m| m.dims()).collect();
    let flat = Tensor::cat(parts.into_iter().map(|m| m.inner().reshape([-1])).collect(), 0);
    let v = flat.into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
    let mut rest = v.as_slice();
    Ok(dims
        .iter()
        .map(|[r, c]| {
            let (m, tail) = rest.split_at(r * c);
            rest = tail;
            m.chunks((*c).max(1)).map(<[f32]>::to_vec).collect()
        })
        .collect())
}

impl AttentionLab {
    /// `lab` is `attention`, `attention-map` or `multihead`.
    pub fn new(lab: &str, params: &Params, device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let device = device.clone().autodiff();
        let task = if lab == "multihead" { LetterTask::ReverseAndPrevious } else { LetterTask::Reverse };
        let heads: usize = if lab == "multihead" { params.usize("heads")? } else { 1 };
        let (len, d_model) = (params.usize("len")?, params.usize("d_model")?);
        if d_model % heads != 0 {
            return Err(format!("A width of {d_model} does not split into {heads} heads: pick a width that is a multiple of {heads}."));
        }
        let net = SelfAttentionNetConfig::new(LETTERS, len, d_model, heads).with_outputs(task.outputs()).with_seed(seed).init(&device);
        Ok(Self {
            task,
            len,
            batch: params.usize("batch")?,
            lr: params.f64("lr")?,
            steps: params.usize("steps")?,
            text: params.get("text")?.to_string(),
            show_matrices: lab == "attention",
            device,
            net: Some(net),
            optim: AdamConfig::new().init(),
            rng: Rng::new(seed ^ 0xA77),
            step: 0,
            pending: Vec::new(),
            busy: 0.0,
        })
    }

    /// Logits as [B·T·O, V] for tokens [B, T].
    fn logits(&self, net: &SelfAttentionNet, x: Vec<i64>, rows: usize) -> Tensor<2> {
        let tokens = Tensor::<2, Int>::from_data(TensorData::new(x, [rows, self.len]), &self.device);
        let (logits, _) = net.forward(tokens); // [B, T, O·V]
        logits.reshape([rows * self.len * self.task.outputs(), LETTERS]) // [B·T·O, V]
    }

    /// Accuracy over every answer of fixed held-out strings, and each head's
    /// mean weight on the mirror and on the previous position: [1 + 2H].
    fn score(&self, net: &SelfAttentionNet) -> Tensor<1> {
        let mut rng = Rng::new(0xE7A1);
        let (x, y) = letter_batch(&mut rng, EVAL_BATCH, self.len, self.task);
        let n = y.len();
        let tokens = Tensor::<2, Int>::from_data(TensorData::new(x, [EVAL_BATCH, self.len]), &self.device);
        let (logits, trace) = net.forward(tokens);
        let guess = logits.detach().reshape([n, LETTERS]).argmax(1).reshape([n]); // [B·T·O]
        let y = Tensor::<1, Int>::from_data(TensorData::new(y, [n]), &self.device);
        let accuracy = guess.equal(y).float().mean(); // [1]
        let t = self.len;
        let pattern = |to: &dyn Fn(usize) -> usize| {
            let v: Vec<f32> = (0..t * t).map(|ij| if ij % t == to(ij / t) { 1.0 } else { 0.0 }).collect();
            Tensor::<2>::from_data(TensorData::new(v, [t, t]), &self.device).unsqueeze::<4>() // [1, 1, T, T]
        };
        let weights = trace.weights.detach(); // [B, H, T, T]
        let h = weights.dims()[1];
        let share = |p: Tensor<4>| (weights.clone() * p).sum_dim(3).sum_dim(2).mean_dim(0).reshape([h]).div_scalar(t as f64); // [H]
        let mirror = share(pattern(&|i| t - 1 - i));
        let previous = share(pattern(&|i| (i + t - 1) % t));
        Tensor::cat(vec![accuracy, mirror, previous], 0).inner()
    }

    /// What the model does with the user's text: weights per head, answers and
    /// (Day 11) every matrix of head 1.
    async fn read_text(&self, net: &SelfAttentionNet, tokens: &[i64]) -> Result<(Vec<Vec<Vec<f32>>>, Vec<String>, Vec<NamedMatrix>), String> {
        let t = self.len;
        let x = Tensor::<2, Int>::from_data(TensorData::new(tokens.to_vec(), [1, t]), &self.device);
        let (logits, trace) = net.forward(x);
        let outputs = self.task.outputs();
        let answers_t = logits.detach().reshape([t * outputs, LETTERS]).argmax(1).reshape([t * outputs]).float(); // [T·O]
        let h = trace.weights.dims()[1];
        let mut parts = vec![
            trace.weights.clone().detach().reshape([h * t, t]), // [H·T, T]
            answers_t.reshape([1, t * outputs]),                // [1, T·O]
        ];
        let mut names = Vec::new();
        if self.show_matrices {
            let c = trace.x.dims()[2];
            let d = trace.q.dims()[3];
            let head1 = |m: Tensor<4>| m.detach().slice([0..1, 0..1, 0..t, 0..d]).reshape([t, d]); // [T, D]
            let sc = scores(trace.q.clone().detach(), trace.k.clone().detach(), trace.mask.clone()).slice([0..1, 0..1, 0..t, 0..t]).reshape([t, t]);
            let w = trace.weights.detach().slice([0..1, 0..1, 0..t, 0..t]).reshape([t, t]);
            let list = [
                ("X (token + position)", trace.x.detach().reshape([t, c])),
                ("Q = X·W_q", head1(trace.q)),
                ("K = X·W_k", head1(trace.k)),
                ("V = X·W_v", head1(trace.v)),
                ("scores = Q·Kᵀ/√d", sc),
                ("weights = softmax(scores)", w),
                ("output = weights·V", trace.mixed.detach().reshape([t, c])),
            ];
            for (name, m) in list {
                names.push(name);
                parts.push(m);
            }
        }
        let mut read = read_matrices(parts).await?.into_iter();
        let heads = read.next().unwrap_or_default().chunks(t).map(<[Vec<f32>]>::to_vec).collect();
        let codes: Vec<usize> = read.next().unwrap_or_default().concat().iter().map(|v| *v as usize).collect();
        let answers = (0..outputs).map(|o| (0..t).map(|i| letter(codes[i * outputs + o])).collect()).collect();
        let matrices = names.into_iter().zip(read).map(|(name, rows)| NamedMatrix { name: name.into(), rows }).collect();
        Ok((heads, answers, matrices))
    }

    pub async fn read(&mut self) -> Result<(Snapshot, AttentionView), String> {
        let n = self.pending.len();
        let first = self.step - n;
        let net = self.net.as_ref().expect("model is present between steps");
        let mut parts: Vec<Tensor<1>> = std::mem::take(&mut self.pending).into_iter().map(|t| t.inner()).collect();
        parts.push(self.score(net));
        let values = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let (losses, scored) = values.split_at(n);
        if let Some((i, l)) = losses.iter().enumerate().find(|(_, l)| !l.is_finite()) {
            return Err(format!("Training diverged at step {}: the loss became {l}. Lower the learning rate ({}), then press Reset.", first + i + 1, self.lr));
        }
        let h = (scored.len() - 1) / 2;
        let accuracy = scored[0];
        let focus: Vec<HeadFocus> = (0..h).map(|k| HeadFocus { mirror: scored[1 + k], previous: scored[1 + h + k] }).collect();
        let mut series = vec![Series { name: "accuracy".into(), points: vec![(self.step as u32, accuracy)] }];
        if n > 0 {
            series.push(Series { name: "loss".into(), points: losses.iter().enumerate().map(|(i, l)| ((first + i + 1) as u32, *l)).collect() });
        }
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        metrics.extend(losses.last().map(|l| ("loss".to_string(), *l as f64)));
        metrics.extend(share_metrics("accuracy", accuracy as f64, EVAL_BATCH));
        if self.step > 0 {
            // The step alone (forward, backward, Adam), without the reads for the page.
            metrics.push(("ms_per_step".into(), 1000.0 * self.busy / self.step as f64));
        }
        let (tokens, message) = encode_letters(&self.text, self.len);
        let (heads, answers, matrices) = self.read_text(net, &tokens).await?;
        let expected = self.task.targets(&tokens).iter().map(|y| y.iter().map(|v| letter(*v as usize)).collect()).collect();
        let mut note = format!("Accuracy counts every answer of {EVAL_BATCH} held-out random strings of {} letters (a guess is right 1 time in {LETTERS}).", self.len);
        if let Some(m) = message {
            note = format!("{m} {note}");
        }
        let tokens = tokens.iter().map(|v| letter(*v as usize).to_string()).collect();
        let view = AttentionView { tokens, heads, answers, expected, matrices, focus, note: note.clone() };
        Ok((Snapshot { step: self.step, total_steps: self.steps, metrics, series, note, figures: Vec::new() }, view))
    }
}

impl crate::labs::Training for AttentionLab {
    /// One step: forward, cross-entropy over every answer, backward, Adam.
    fn step(&mut self) {
        let started = Instant::now();
        let (x, y) = letter_batch(&mut self.rng, self.batch, self.len, self.task);
        let net = self.net.take().expect("model is present between steps");
        let logits = self.logits(&net, x, self.batch); // [B·T·O, V]
        let targets = Tensor::<1, Int>::from_data(TensorData::new(y.clone(), [y.len()]), &self.device);
        let loss = CrossEntropyLossConfig::new().init(&self.device).forward(logits, targets); // [1]
        let grads = loss.backward();
        let grads = GradientsParams::from_grads(grads, &net);
        self.net = Some(self.optim.step(self.lr, net, grads));
        self.pending.push(loss.detach());
        self.step += 1;
        self.busy += started.elapsed().as_secs_f64();
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.steps
    }
    fn snapshot(&mut self) -> crate::labs::LocalFuture<'_, Result<Snapshot, String>> {
        let show_matrices = self.show_matrices;
        crate::labs::with_figures(self.read(), move |view| view.figures(show_matrices))
    }
    fn set_live(&mut self, key: &str, value: &str) {
        if key == "text" {
            self.text = value.to_string();
        }
    }
}
