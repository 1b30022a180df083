//! Day 18's training: the GPT on random windows of the text's first 90 %,
//! AdamW with warm-up and cosine decay; every `eval_every` steps a validation
//! estimate and a sample, and at the last step the loss over the whole
//! held-out 10 %.

use super::{corpus_file, learning_rate, GptView};
use crate::data::chars::{windows, CharCorpus, CharVocab};
use crate::data::files::{DataFiles, MODEL, RESUME, UPLOAD};
use crate::event::{Series, Snapshot};
use crate::labs::history::History;
use crate::labs::sampling::filter::Strategy;
use crate::labs::sampling::generate;
use crate::labs::{LocalFuture, Training};
use crate::models::checkpoint;
use crate::models::gpt::{lm_loss, Gpt, GptConfig, Positions};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::module::ParamGroup;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamWConfig, AdjustLrFn, GradientsParams, ModuleOptimizer, MuonConfig};
use burn::prelude::*;
use web_time::Instant;

/// Held-out windows of a validation estimate during training.
const VAL_WINDOWS: usize = 32;
/// Characters per forward pass when measuring the whole held-out text: 8,192
/// (128 windows of the default context, 512 of a context of 16). Counted in
/// characters, not windows, so that a short context does not mean more
/// passes: on a GPU each pass costs dozens of dispatches whatever its size
/// (SwiftShader took 80 s over Shakespeare's held-out text at a context of 16
/// and 64 windows a pass), and memory stays bounded at a context of 256.
const FULL_CHARS: usize = 8192;
/// Characters of each sample.
const SAMPLE_CHARS: usize = 160;

pub struct GptLab {
    /// The settings, kept for the model file's metadata.
    params: Params,
    /// The model's architecture, as a file records it.
    config: GptConfig,
    /// Whether it came from a model file rather than the settings.
    loaded: bool,
    /// The step a checkpoint of this run was resumed at.
    resumed_at: Option<usize>,
    corpus: CharCorpus,
    context: usize,
    batch: usize,
    /// Always `Some` between steps; taken while the optimizer moves it.
    model: Option<Gpt>,
    optim: ModuleOptimizer,
    peak_lr: f64,
    warmup: usize,
    steps: usize,
    eval_every: usize,
    prompt: String,
    temperature: f64,
    /// Fixed held-out windows for the estimates, on the plain device.
    val_x: Tensor<2, Int>,
    val_y: Tensor<2, Int>,
    rng: Rng,
    step: usize,
    pending: Vec<Tensor<1>>,
    /// The curves so far, kept in the model's file for the report (Day 30).
    history: History,
    train_loss: Option<f32>,
    val_loss: Option<f32>,
    last_eval: Option<usize>,
    /// The prompt or temperature changed: write again at the next snapshot.
    resample: bool,
    view: GptView,
    /// When the first step (of this session) began, and when the latest one
    /// ended, in seconds of training (a resumed run's earlier ones included).
    started: Option<Instant>,
    last_end: f64,
    /// Seconds trained before a resume.
    earlier: f64,
    device: Device,
    plain: Device,
}

impl GptLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let name = corpus_file(params)?;
        let bytes = match files.get(name) {
            Ok(b) => b,
            Err(_) if name == UPLOAD => return Err("Choose a text file first (Text: file), or pick Shakespeare or Moby Dick.".into()),
            Err(e) => return Err(e),
        };
        let text = std::str::from_utf8(bytes).map_err(|e| format!("The file is not UTF-8 text (at byte {}): save it as UTF-8, or pick another.", e.valid_up_to()))?;
        // A model file to start from (the CLI's --load) brings its own
        // architecture and vocabulary; the settings' are then ignored.
        let loaded = match files.get(MODEL) {
            Ok(bytes) => Some(checkpoint::decode(bytes).map_err(|e| format!("The model file cannot be loaded: {e}."))?),
            Err(_) => None,
        };
        let context = loaded.as_ref().map_or(params.usize("context"), |ck| Ok(ck.config.block_size))?;
        let corpus = CharCorpus::new(text, context)?;
        // A model that could not be loaded back is not trained.
        if corpus.vocab.len() > checkpoint::MAX_VOCAB {
            return Err(format!("The text has {} distinct characters; a GPT here reads at most {}: pick a text with fewer.", corpus.vocab.len(), checkpoint::MAX_VOCAB));
        }
        let plain = device.clone();
        let device = device.clone().autodiff();
        let (config, model) = match &loaded {
            Some(ck) if ck.vocab != corpus.vocab.chars => {
                return Err(format!("The model was trained on a text with {} distinct characters, this one has {}: load it with the text it learned.", ck.vocab.len(), corpus.vocab.len()));
            }
            Some(ck) => (ck.config.clone(), ck.to_model(&device)),
            None => {
                let positions = if params.get("positions")? == "rope" { Positions::Rope } else { Positions::Learned };
                let (layers, heads, width) = (params.usize("layers")?, params.usize("heads")?, params.usize("width")?);
                if width % heads != 0 {
                    return Err(format!("Width {width} does not split into {heads} heads: pick a width that is a multiple of it."));
                }
                let config = GptConfig::new(corpus.vocab.len(), context, layers, heads, width).with_positions(positions).with_seed(seed);
                let model = config.init(&device);
                (config, model)
            }
        };
        // nanoGPT's betas for small batches (β₂ = 0.99).
        let adamw = AdamWConfig::new().with_beta_1(0.9).with_beta_2(0.99).with_epsilon(1e-8);
        let optim = optimizer(&model, params.get("optimizer")?, adamw, params.f64("weight_decay")? as f32);
        // A checkpoint of this run continues at its step, its schedule and its clock.
        let resume = loaded.as_ref().filter(|_| files.get(RESUME).is_ok());
        let resumed_at = resume.and_then(|ck| ck.meta.get("step")?.parse::<usize>().ok());
        let earlier = resume.and_then(|ck| ck.number("train_seconds")).filter(|s| *s >= 0.0).unwrap_or(0.0);
        let history = resume.map(|ck| History::from_meta(&ck.meta, resumed_at.unwrap_or(0))).unwrap_or_default();
        let (vx, vy) = windows(&corpus.val, VAL_WINDOWS, context, &mut Rng::new(0x7A1));
        let tokens = |v: Vec<i64>, rows: usize| Tensor::<2, Int>::from_data(TensorData::new(v, [rows, context]), &plain);
        Ok(Self {
            params: params.clone(),
            config,
            loaded: loaded.is_some(),
            resumed_at,
            val_x: tokens(vx, VAL_WINDOWS),
            val_y: tokens(vy, VAL_WINDOWS),
            corpus,
            context,
            batch: params.usize("batch")?,
            model: Some(model),
            optim,
            peak_lr: params.f64("lr")?,
            warmup: params.usize("warmup")?,
            steps: params.usize("steps")?,
            eval_every: params.usize("eval_every")?,
            prompt: params.get("prompt")?.to_string(),
            temperature: params.f64("temperature")?,
            // A resumed run draws other windows than its first steps did.
            rng: Rng::new(seed ^ 0x6E7 ^ ((resumed_at.unwrap_or(0) as u64) << 24)),
            step: resumed_at.unwrap_or(0),
            pending: Vec::new(),
            history,
            train_loss: None,
            val_loss: None,
            last_eval: None,
            resample: false,
            view: GptView { corpus: params.get("corpus")?.to_string(), ..GptView::default() },
            started: None,
            last_end: earlier,
            earlier,
            device,
            plain,
        })
    }

    /// Day 18's GPT for a lab that trains one before its own work (sampling,
    /// anatomy): the gpt lab's defaults with the `shared` settings of `params`,
    /// one estimate at the start and the whole held-out text at the end; no
    /// steps at all where a model file is loaded.
    pub fn first_of(params: &Params, shared: &[&str], device: &Device, files: &DataFiles) -> Result<Self, String> {
        let mut inner = Params::defaults(&crate::labs::schema("gpt"));
        for key in shared.iter().chain(&["steps", "seed"]) {
            inner.0.insert(key.to_string(), params.get(key)?.to_string());
        }
        inner.0.insert("eval_every".into(), params.get("steps")?.to_string());
        if files.get(MODEL).is_ok() {
            inner.0.insert("steps".into(), "0".into());
        }
        Self::new(&inner, device, files)
    }

    pub fn model(&self) -> &Gpt {
        self.model.as_ref().expect("the model is present between steps")
    }

    /// The characters the model reads and writes.
    pub fn vocab(&self) -> &CharVocab {
        &self.corpus.vocab
    }

    /// Mean loss over the whole held-out text, each character predicted once:
    /// non-overlapping windows, FULL_CHARS at a time, one read at the end.
    async fn full_val_loss(&self, model: &Gpt) -> Result<f32, String> {
        let t = self.context;
        let val = &self.corpus.val;
        let n = (val.len() - 1) / t;
        let per_pass = (FULL_CHARS / t).max(1);
        let mut sums = Vec::new();
        for first in (0..n).step_by(per_pass) {
            let rows = per_pass.min(n - first);
            let at = |shift: usize| (first..first + rows).flat_map(|w| val[w * t + shift..w * t + shift + t].iter().map(|&c| c as i64)).collect::<Vec<_>>();
            let x = Tensor::<2, Int>::from_data(TensorData::new(at(0), [rows, t]), &self.plain);
            let y = Tensor::<2, Int>::from_data(TensorData::new(at(1), [rows, t]), &self.plain);
            sums.push(lm_loss(model.logits(x), y).mul_scalar(rows as f32)); // [1]
        }
        let total = Tensor::cat(sums, 0).sum().into_data_async().await.map_err(|e| format!("{e:?}"))?;
        let total = total.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?[0];
        Ok(total / n as f32)
    }

    /// SAMPLE_CHARS characters from the prompt at the set temperature (Day
    /// 19's `generate`), with their probabilities, and the characters per second.
    async fn write_sample(&self, model: &Gpt) -> Result<(Vec<(String, f32)>, f64), String> {
        let mut prompt: Vec<i64> = self.corpus.vocab.encode(&self.prompt).into_iter().map(i64::from).collect();
        if prompt.is_empty() {
            prompt.push(self.corpus.train[0] as i64);
        }
        let mut rng = Rng::new(self.step as u64 ^ 0x5A3);
        let written = generate(model, &prompt, Strategy::temperature(self.temperature), SAMPLE_CHARS, &mut rng, &self.plain).await?;
        let out = written.draws.iter().zip(&written.nll).map(|(d, nll)| (self.corpus.vocab.decode(&[d.token as u32]), (-nll).exp())).collect();
        Ok((out, written.tokens_per_sec))
    }

    pub async fn read(&mut self) -> Result<(Snapshot, GptView), String> {
        let mut series = Vec::new();
        let points = crate::labs::drain_losses(&mut self.pending, self.step, self.peak_lr).await?;
        if let Some(&(_, last)) = points.last() {
            self.train_loss = Some(last);
            series.push(Series { name: "train_loss".into(), points });
        }
        let done = self.step >= self.steps;
        let due = self.last_eval.is_none_or(|at| self.step >= at + self.eval_every || (done && at != self.step));
        let model = self.model().valid();
        if due {
            let val = if done {
                self.full_val_loss(&model).await?
            } else {
                let v = lm_loss(model.logits(self.val_x.clone()), self.val_y.clone()).into_data_async().await.map_err(|e| format!("{e:?}"))?;
                v.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?[0]
            };
            self.val_loss = Some(val);
            self.last_eval = Some(self.step);
            series.push(Series { name: "val_loss".into(), points: vec![(self.step as u32, val)] });
            self.view.val_by_time.push((self.last_end as f32, val));
            self.view.full = done;
        }
        if due || self.resample {
            self.resample = false;
            let (sample, rate) = self.write_sample(&model).await?;
            self.view.sample = sample;
            self.view.sample_tokens_per_sec = rate;
            self.view.sample_step = self.step;
            self.view.prompt = self.prompt.clone();
            self.view.temperature = self.temperature;
        }
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        metrics.extend(self.train_loss.map(|l| ("train_loss".to_string(), l as f64)));
        metrics.extend(self.val_loss.map(|l| ("val_loss".to_string(), l as f64)));
        if done {
            metrics.extend(self.val_loss.map(|l| ("val_loss_full".to_string(), l as f64)));
        }
        metrics.push(("params".into(), self.model().num_params() as f64));
        if self.last_end > 0.0 {
            metrics.push(("train_seconds".into(), self.last_end));
            metrics.push(("tokens_per_sec".into(), (self.step * self.batch * self.context) as f64 / self.last_end));
        }
        if self.view.sample_tokens_per_sec > 0.0 {
            metrics.push(("sample_tokens_per_sec".into(), self.view.sample_tokens_per_sec));
        }
        let v = self.corpus.vocab.len();
        let cut = self.corpus.cut_from.map(|n| format!(" The text was cut from {n} to the first {} characters.", crate::data::chars::MAX_CHARS)).unwrap_or_default();
        let c = &self.config;
        let from = if let Some(at) = self.resumed_at {
            format!(" Resumed from this run's checkpoint at step {at}; Adam's moment estimates start afresh there.")
        } else if self.loaded { format!(" Started from a loaded model ({} blocks, width {}, context {}): the file's architecture, not the settings'.", c.n_layer, c.n_embd, c.block_size) } else { String::new() };
        let note = format!(
            "{v} distinct characters; {} for training, {} held out; loss in nats per character (ln {v} = {:.2} is a uniform guess). Training time counts from the first step to the latest, evaluations included; the last step measures the whole held-out text.{cut}{from}",
            self.corpus.train.len(),
            self.corpus.val.len(),
            (v as f64).ln()
        );
        self.history.record(&series);
        Ok((Snapshot { step: self.step, total_steps: self.steps, metrics, series, note, figures: Vec::new() }, self.view.clone()))
    }
}

/// `adamw` for every parameter; with `muon`, the blocks' weight matrices take
/// Muon's step instead: momentum whose update is orthogonalised
/// (Newton–Schulz), so every direction of a matrix moves at the same rate.
/// Embeddings, the head, norms and biases stay with AdamW, as Muon's authors
/// advise; Moonshot's scaling lets both share one learning rate. Weeks 3 and
/// 4 train the same GPT, so their labs share this choice.
pub fn optimizer(model: &Gpt, kind: &str, adamw: AdamWConfig, decay: f32) -> ModuleOptimizer {
    let adamw = adamw.with_weight_decay(decay).init();
    if kind != "muon" {
        return adamw;
    }
    let matrices = model.blocks.iter().flat_map(|b| [b.attn.qkv.weight.id, b.attn.proj.weight.id, b.mlp.c_fc.weight.id, b.mlp.c_proj.weight.id]).collect();
    let muon = MuonConfig::new().with_adjust_lr_fn(AdjustLrFn::MatchRmsAdamW).with_weight_decay(Some(WeightDecayConfig::new(decay))).build();
    adamw.with_group(ParamGroup::from_ids(matrices), muon, None)
}

impl Training for GptLab {
    /// One step: random windows → forward → loss → backward → gradients →
    /// the optimizer (AdamW, or Muon on the blocks' matrices) at this step's learning rate.
    fn step(&mut self) {
        let started = *self.started.get_or_insert_with(Instant::now);
        let (x, y) = windows(&self.corpus.train, self.batch, self.context, &mut self.rng);
        let x = Tensor::<2, Int>::from_data(TensorData::new(x, [self.batch, self.context]), &self.device); // [B, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(y, [self.batch, self.context]), &self.device); // [B, T]
        let lr = learning_rate(self.step, self.peak_lr, self.warmup, self.steps);
        let model = self.model.take().expect("the model is present between steps");
        let logits = model.logits(x); // [B, T, V]
        let loss = lm_loss(logits, y); // [1]
        let grads = loss.backward();
        let grads = GradientsParams::from_grads(grads, &model);
        self.model = Some(self.optim.step(lr, model, grads));
        self.pending.push(loss.detach());
        self.step += 1;
        self.last_end = self.earlier + started.elapsed().as_secs_f64();
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.steps
    }
    fn set_live(&mut self, key: &str, value: &str) {
        match key {
            "temperature" => self.temperature = value.parse().unwrap_or(self.temperature),
            "prompt" => self.prompt = value.to_string(),
            _ => return,
        }
        // Write again now, not at the next evaluation.
        self.resample = true;
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
    /// The model as safetensors, with its settings, step, time and losses.
    fn save(&self) -> LocalFuture<'_, Result<Vec<u8>, String>> {
        Box::pin(async move {
            let mut extra = vec![("train_seconds", self.last_end.to_string())];
            extra.extend(self.val_loss.map(|v| ("val_loss", v.to_string())));
            let curves = self.history.to_meta();
            extra.extend(curves.iter().map(|(k, v)| (k.as_str(), v.clone())));
            checkpoint::save(&self.model().valid(), &self.config, &self.corpus.vocab.chars, "gpt", &self.params, self.step, &extra).await
        })
    }
}
