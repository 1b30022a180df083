//! Days 8 and 9: training a character-level RNN or LSTM, validating it, and
//! sampling from it with the states it went through.

use crate::data::chars::{windows, CharCorpus};
use crate::data::files::DataFiles;
use crate::data::text::{MOBY_DICK, SHAKESPEARE};
use crate::event::{Series, Snapshot};
use crate::labs::char_lm::{CharLmView, Sample};
use crate::models::lstm::{Lstm, LstmConfig};
use crate::models::rnn::{Rnn, RnnConfig};
use crate::rng::Rng;
use crate::settings::Params;
use burn::grad_clipping::GradientClippingConfig;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::module::Module;
use burn::prelude::*;
use web_time::Instant;

/// Validation and a new sample every this many steps (and at the end).
const EVAL_EVERY: usize = 100;
const VAL_WINDOWS: usize = 64;
const SAMPLE_CHARS: usize = 120;
/// Heatmaps show the last this many sampled characters and the first units.
const MAP_ROWS: usize = 40;
const MAP_COLS: usize = 24;

pub enum Net {
    Rnn(Rnn),
    Lstm(Lstm),
}

/// What a forward pass returns: logits [B, T, V], and named per-step maps [B, T, H].
type Pass = (Tensor<3>, Vec<(&'static str, Tensor<3>)>);

impl Net {
    /// From a zero state (each training window starts fresh), or from `state`.
    fn forward(&self, tokens: Tensor<2, Int>, state: Option<Vec<Tensor<2>>>) -> (Pass, Vec<Tensor<2>>) {
        let [b, _] = tokens.dims();
        let device = tokens.device();
        match self {
            Net::Rnn(m) => {
                let h = state.map(|s| s[0].clone()).unwrap_or_else(|| Tensor::zeros([b, m.recur.weight.dims()[0]], &device));
                let (logits, states, h) = m.forward(tokens, h);
                ((logits, vec![("hidden state h", states)]), vec![h])
            }
            Net::Lstm(m) => {
                let zero = || Tensor::zeros([b, m.hidden], &device);
                let (h, c) = state.map(|s| (s[0].clone(), s[1].clone())).unwrap_or_else(|| (zero(), zero()));
                let (logits, g, (h, c)) = m.forward(tokens, (h, c));
                let maps = vec![("forget gate f", g.forget), ("input gate i", g.input), ("output gate o", g.output), ("cell c (tanh)", g.cell.tanh())];
                ((logits, maps), vec![h, c])
            }
        }
    }
}

pub struct CharLmLab {
    corpus: CharCorpus,
    seq: usize,
    batch: usize,
    lr: f64,
    steps: usize,
    temperature: f64,
    prompt: String,
    device: Device,
    net: Option<Net>,
    optim: ModuleOptimizer,
    rng: Rng,
    step: usize,
    pending: Vec<Tensor<1>>,
    last_eval: usize,
    sample: Option<Sample>,
    val_loss: Option<f32>,
    busy: f64,
}

impl CharLmLab {
    pub fn new(lstm: bool, params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let text = match params.get("corpus")? {
            "pasted" => params.get("text")?.to_string(),
            "moby" => String::from_utf8_lossy(files.get(MOBY_DICK)?).into_owned(),
            _ => String::from_utf8_lossy(files.get(SHAKESPEARE)?).into_owned(),
        };
        let seq = params.usize("seq")?;
        let corpus = CharCorpus::new(&text, seq)?;
        let device = device.clone().autodiff();
        let (v, h) = (corpus.vocab.len(), params.usize("hidden")?);
        let net = if lstm {
            Net::Lstm(LstmConfig::new(v, h).with_seed(seed).init(&device))
        } else {
            Net::Rnn(RnnConfig::new(v, h).with_seed(seed).init(&device))
        };
        let clip = params.f64("clip")?;
        let optim = AdamConfig::new().with_grad_clipping((clip > 0.0).then(|| GradientClippingConfig::Norm(clip as f32))).init();
        Ok(Self {
            corpus,
            seq,
            batch: params.usize("batch")?,
            lr: params.f64("lr")?,
            steps: params.usize("steps")?,
            temperature: params.f64("temperature")?,
            prompt: params.get("prompt")?.to_string(),
            device,
            net: Some(net),
            optim,
            rng: Rng::new(seed ^ 0xC4A2),
            step: 0,
            pending: Vec::new(),
            last_eval: 0,
            sample: None,
            val_loss: None,
            busy: 0.0,
        })
    }

    fn loss(&self, net: &Net, x: Vec<i64>, y: Vec<i64>, rows: usize) -> Tensor<1> {
        let (b, t) = (rows, self.seq);
        let x = Tensor::<2, Int>::from_data(TensorData::new(x, [b, t]), &self.device);
        let y = Tensor::<1, Int>::from_data(TensorData::new(y, [b * t]), &self.device);
        let ((logits, _), _) = net.forward(x, None); // [B, T, V]
        let v = logits.dims()[2];
        CrossEntropyLossConfig::new().init(&self.device).forward(logits.reshape([b * t, v]), y) // [1]
    }

    /// Mean loss on fixed validation windows.
    async fn validate(&self) -> Result<f32, String> {
        let mut rng = Rng::new(0x7A1);
        let (x, y) = windows(&self.corpus.val, VAL_WINDOWS, self.seq, &mut rng);
        let net = self.net.as_ref().expect("model is present between steps");
        let loss = self.loss(net, x, y, VAL_WINDOWS).detach();
        let v = loss.into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        Ok(v[0])
    }

    /// Writes SAMPLE_CHARS characters, one at a time, from a newline prompt.
    async fn write_sample(&mut self) -> Result<Sample, String> {
        let net = self.net.as_ref().expect("model is present between steps");
        let given = self.corpus.vocab.encode(&self.prompt);
        let prompt = if given.is_empty() { self.corpus.vocab.encode("\n") } else { given.clone() };
        let mut state = None;
        if prompt.len() > 1 {
            // Read the prompt up to its last character; sampling starts from there.
            let ids: Vec<i64> = prompt[..prompt.len() - 1].iter().map(|&t| t as i64).collect();
            let x = Tensor::<2, Int>::from_data(TensorData::new(ids, [1, prompt.len() - 1]), &self.device);
            let (_, next) = net.forward(x, None);
            state = Some(next.into_iter().map(|t| t.detach()).collect());
        }
        let mut token = *prompt.last().unwrap_or(&0);
        let mut out = Vec::new();
        let mut maps: Vec<(String, Vec<Vec<f32>>)> = Vec::new();
        let mut rng = Rng::new(self.step as u64 ^ 0x5A3);
        for _ in 0..SAMPLE_CHARS {
            let x = Tensor::<2, Int>::from_data(TensorData::new(vec![token as i64], [1, 1]), &self.device);
            let ((logits, named), next) = net.forward(x, state);
            state = Some(next.into_iter().map(|t| t.detach()).collect());
            let v = logits.dims()[2];
            let mut parts = vec![logits.reshape([v])];
            parts.extend(named.iter().map(|(_, m)| {
                let h = m.dims()[2];
                m.clone().slice([0..1, 0..1, 0..h.min(MAP_COLS)]).reshape([-1])
            }));
            let values = Tensor::cat(parts, 0).detach().into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let (logits, rest) = values.split_at(v);
            token = sample_index(logits, self.temperature, &mut rng) as u32;
            out.push(token);
            let width = rest.len() / named.len().max(1);
            for (k, (name, _)) in named.iter().enumerate() {
                if maps.len() <= k {
                    maps.push((name.to_string(), Vec::new()));
                }
                maps[k].1.push(rest[k * width..(k + 1) * width].to_vec());
            }
        }
        for (_, rows) in maps.iter_mut() {
            let cut = rows.len().saturating_sub(MAP_ROWS);
            rows.drain(..cut);
        }
        let text = self.corpus.vocab.decode(&given) + &self.corpus.vocab.decode(&out);
        Ok(Sample { step: self.step, text, maps })
    }

    pub async fn read(&mut self) -> Result<(Snapshot, CharLmView), String> {
        let n = self.pending.len();
        let first = self.step - n;
        let mut series = Vec::new();
        let mut train_loss = None;
        if n > 0 {
            let values = Tensor::cat(std::mem::take(&mut self.pending), 0).inner().into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let mut s = Series { name: "train_loss".into(), points: Vec::new() };
            for (i, l) in values.iter().enumerate() {
                if !l.is_finite() {
                    return Err(format!(
                        "Training diverged at step {}: the loss became {l} (exploding gradients). Turn on gradient clipping (e.g. 1) or lower the learning rate ({}), then press Reset.",
                        first + i + 1,
                        self.lr
                    ));
                }
                s.points.push(((first + i + 1) as u32, *l));
            }
            train_loss = s.points.last().map(|p| p.1);
            series.push(s);
        }
        let due = self.step == 0 || self.step >= self.last_eval + EVAL_EVERY || (self.step >= self.steps && self.last_eval != self.step);
        if due && self.sample.as_ref().is_none_or(|s| s.step != self.step) {
            let val = self.validate().await?;
            self.val_loss = Some(val);
            self.last_eval = self.step;
            series.push(Series { name: "val_loss".into(), points: vec![(self.step as u32, val)] });
            self.sample = Some(self.write_sample().await?);
        } else if self.sample.is_none() {
            self.sample = Some(self.write_sample().await?);
        }
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        metrics.extend(train_loss.map(|l| ("train_loss".to_string(), l as f64)));
        metrics.extend(self.val_loss.map(|l| ("val_loss".to_string(), l as f64)));
        let params = match self.net.as_ref().expect("model is present between steps") {
            Net::Rnn(m) => m.num_params(),
            Net::Lstm(m) => m.num_params(),
        };
        metrics.push(("params".into(), params as f64));
        if self.busy > 0.0 {
            metrics.push(("chars_per_sec".into(), (self.step * self.batch * self.seq) as f64 / self.busy));
        }
        let cut = self.corpus.cut_from.map(|n| format!(" The text was cut from {n} to the first {} characters.", crate::data::chars::MAX_CHARS)).unwrap_or_default();
        let unknown: String = self.prompt.chars().filter(|c| self.corpus.vocab.chars.binary_search(c).is_err()).take(12).collect();
        let skipped = if unknown.is_empty() { String::new() } else { format!(" The prompt's “{unknown}” never occur in the text and were skipped.") };
        let note = format!(
            "{} distinct characters; {} for training, {} for validation; loss in nats per character (ln {} = {:.2} is a uniform guess).{cut}{skipped}",
            self.corpus.vocab.len(),
            self.corpus.train.len(),
            self.corpus.val.len(),
            self.corpus.vocab.len(),
            (self.corpus.vocab.len() as f64).ln()
        );
        let snap = Snapshot { step: self.step, total_steps: self.steps, metrics, series, note: note.clone(), figures: Vec::new() };
        Ok((snap, CharLmView { sample: self.sample.clone(), note }))
    }
}

/// Draws an index from softmax(logits / temperature).
pub fn sample_index(logits: &[f32], temperature: f64, rng: &mut Rng) -> usize {
    let t = temperature.max(1e-3) as f32;
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f32> = logits.iter().map(|l| ((l - max) / t).exp()).collect();
    let mut r = rng.uniform() * weights.iter().sum::<f32>();
    for (i, w) in weights.iter().enumerate() {
        r -= w;
        if r <= 0.0 {
            return i;
        }
    }
    weights.len() - 1
}

/// The probability softmax(logits) gives token `i` (at temperature 1): what a
/// sample's shading shows.
pub fn probability(logits: &[f32], i: usize) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (logits[i] - max).exp() / logits.iter().map(|l| (l - max).exp()).sum::<f32>()
}

impl crate::labs::Training for CharLmLab {
    /// One step of truncated BPTT: random windows, forward, cross-entropy, backward, Adam.
    fn step(&mut self) {
        let started = Instant::now();
        let (x, y) = windows(&self.corpus.train, self.batch, self.seq, &mut self.rng);
        let net = self.net.take().expect("model is present between steps");
        let loss = self.loss(&net, x, y, self.batch);
        let grads = loss.backward();
        self.net = Some(match net {
            Net::Rnn(m) => {
                let g = GradientsParams::from_grads(grads, &m);
                Net::Rnn(self.optim.step(self.lr, m, g))
            }
            Net::Lstm(m) => {
                let g = GradientsParams::from_grads(grads, &m);
                Net::Lstm(self.optim.step(self.lr, m, g))
            }
        });
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
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
    fn set_live(&mut self, key: &str, value: &str) {
        match key {
            "temperature" => self.temperature = value.parse().unwrap_or(self.temperature),
            "prompt" => {
                self.prompt = value.to_string();
                // Sample again now, not at the next evaluation.
                self.sample = None;
            }
            _ => {}
        }
    }
}
