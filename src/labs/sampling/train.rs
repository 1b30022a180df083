//! Day 19's run: Day 18's GPT is trained first (or loaded from a model file),
//! then it writes from the prompt once per way of sampling, a character at a
//! time with the KV cache, each logits row read back and drawn from on the CPU.

use super::filter::{draw, Draw, Strategy};
use super::{compared, strategy, Sampled, SamplingView};
use crate::data::files::DataFiles;
use crate::event::Snapshot;
use crate::labs::gpt::GptLab;
use crate::labs::{LocalFuture, Training};
use crate::models::gpt::{Gpt, KvCache};
use crate::rng::Rng;
use crate::settings::Params;
use burn::prelude::*;
use web_time::Instant;

/// A generation: each step's draw, and −ln p (temperature 1, nothing cut) of its token.
pub struct Written {
    pub draws: Vec<Draw>,
    pub nll: Vec<f32>,
    pub tokens_per_sec: f64,
}

/// Writes `length` tokens after `prompt` (at least one id), one at a time with
/// the KV cache: each step reads one row of logits back and draws on the CPU.
/// When the cache holds a full context it starts again from the last half.
pub async fn generate(model: &Gpt, prompt: &[i64], strategy: Strategy, length: usize, rng: &mut Rng, device: &Device) -> Result<Written, String> {
    let started = Instant::now();
    let t = model.block_size();
    let mut context = prompt.to_vec();
    let mut cache = KvCache::default();
    let mut feed = context[context.len().saturating_sub(t - 1)..].to_vec();
    let (mut draws, mut nll) = (Vec::new(), Vec::new());
    for _ in 0..length {
        let n = feed.len();
        let idx = Tensor::<2, Int>::from_data(TensorData::new(std::mem::take(&mut feed), [1, n]), device); // [1, n]
        let logits = model.forward(idx, Some(&mut cache), false).logits.slice([0..1, n - 1..n]).reshape([-1]); // [V]
        let logits = logits.into_data_async().await.map_err(|e| format!("{e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let d = draw(&logits, strategy, rng);
        let p1 = super::filter::softmax(&logits, 1.0)[d.token];
        nll.push(-p1.max(1e-30).ln());
        context.push(d.token as i64);
        draws.push(d);
        if cache.len >= t {
            cache = KvCache::default();
            feed = context[context.len() - t / 2..].to_vec();
        } else {
            feed = vec![*context.last().expect("a token was just written")];
        }
    }
    Ok(Written { draws, nll, tokens_per_sec: length as f64 / started.elapsed().as_secs_f64().max(1e-9) })
}

pub struct SamplingLab {
    /// Day 18's lab: trains the GPT (no steps for a loaded model).
    gpt: GptLab,
    strategy: Strategy,
    prompt: String,
    length: usize,
    seed: u64,
    view: SamplingView,
    /// The user's generation is out of date (a setting changed, or none yet).
    stale: bool,
    /// Characters a second: one sequence (the user's), and 32 written at once.
    rates: Option<(f64, f64)>,
    device: Device,
}

impl SamplingLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let gpt = GptLab::first_of(params, &["corpus", "prompt"], device, files)?;
        Ok(Self {
            view: SamplingView { at: params.usize("at")?.saturating_sub(1), prompt: params.get("prompt")?.to_string(), vocab: gpt.vocab().chars.iter().map(|c| c.to_string()).collect(), ..Default::default() },
            gpt,
            strategy: strategy(params)?,
            prompt: params.get("prompt")?.to_string(),
            length: params.usize("length")?,
            seed: params.u64("seed")?,
            stale: true,
            rates: None,
            device: device.clone(),
        })
    }

    /// One generation with `strategy`, from the seed, so the same settings write the same text.
    async fn sample(&self, model: &Gpt, strategy: Strategy) -> Result<Sampled, String> {
        let mut prompt: Vec<i64> = self.gpt.vocab().encode(&self.prompt).into_iter().map(i64::from).collect();
        if prompt.is_empty() {
            prompt.push(0);
        }
        let mut rng = Rng::new(self.seed ^ 0x5A4D);
        let w = generate(model, &prompt, strategy, self.length, &mut rng, &self.device).await?;
        let text = w.draws.iter().map(|d| self.gpt.vocab().decode(&[d.token as u32])).collect();
        Ok(Sampled { strategy: Some(strategy), text, draws: w.draws, nll: w.nll })
    }

    pub async fn read(&mut self) -> Result<(Snapshot, SamplingView), String> {
        let (mut snap, _) = self.gpt.read().await?;
        if self.gpt.is_done() && self.stale {
            let model = self.gpt.model().valid();
            if self.view.compared.is_empty() || self.view.prompt != self.prompt || self.view.yours.text.len() != self.length {
                let mut all = Vec::new();
                for s in compared() {
                    all.push(self.sample(&model, s).await?);
                }
                self.view.compared = all;
            }
            let started = Instant::now();
            self.view.yours = self.sample(&model, self.strategy).await?;
            let one = self.length as f64 / started.elapsed().as_secs_f64().max(1e-9);
            if self.rates.is_none() {
                self.rates = Some((one, self.batch_rate(&model).await?));
            }
            self.view.prompt = self.prompt.clone();
            self.stale = false;
        }
        // The inner lab's rate is for its own sample; these are this lab's.
        snap.metrics.retain(|(k, _)| k != "sample_tokens_per_sec");
        if let Some((one, batch)) = self.rates {
            snap.metrics.push(("sample_tokens_per_sec".into(), one));
            snap.metrics.push(("batch32_tokens_per_sec".into(), batch));
        }
        let yours = &self.view.yours;
        if !yours.draws.is_empty() {
            let at = self.view.at.min(yours.draws.len() - 1);
            snap.metrics.push(("distinct_2".into(), yours.distinct_2()));
            snap.metrics.push(("self_nll".into(), yours.self_nll()));
            snap.metrics.push(("kept".into(), yours.draws[at].kept as f64));
        }
        snap.note = format!("The GPT: {}", snap.note);
        Ok((snap, self.view.clone()))
    }

    /// Characters a second when 32 sequences are written at once (greedy,
    /// KV cache, one read a character for all 32): what batching buys.
    async fn batch_rate(&self, model: &Gpt) -> Result<f64, String> {
        let prompt: Vec<i64> = self.gpt.vocab().encode(&self.prompt).into_iter().map(i64::from).collect();
        let prompt = if prompt.is_empty() { vec![0] } else { prompt };
        let started = Instant::now();
        let written = crate::labs::reason::decode::greedy(model, &vec![prompt; 32], 64, -1, -1, &self.device).await?;
        let n: usize = written.iter().map(Vec::len).sum();
        Ok(n as f64 / started.elapsed().as_secs_f64().max(1e-9))
    }

    /// The user's generation, for tests.
    pub fn yours(&self) -> &Sampled {
        &self.view.yours
    }

    pub fn compared(&self) -> &[Sampled] {
        &self.view.compared
    }
}

impl Training for SamplingLab {
    fn step(&mut self) {
        self.gpt.step();
    }
    fn steps_done(&self) -> usize {
        self.gpt.steps_done()
    }
    fn total_steps(&self) -> usize {
        self.gpt.total_steps()
    }
    fn set_live(&mut self, key: &str, value: &str) {
        match key {
            "temperature" => self.strategy.temperature = value.parse().unwrap_or(self.strategy.temperature),
            "top_k" => self.strategy.top_k = value.parse().unwrap_or(self.strategy.top_k),
            "top_p" => self.strategy.top_p = value.parse().unwrap_or(self.strategy.top_p),
            "length" => self.length = value.parse().unwrap_or(self.length),
            "prompt" => self.prompt = value.to_string(),
            // Only the bars move: no new text.
            "at" => {
                self.view.at = value.parse::<usize>().unwrap_or(1).saturating_sub(1);
                return;
            }
            _ => return,
        }
        self.stale = true;
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}
