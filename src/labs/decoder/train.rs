//! Day 17's training: two stacks of GPT blocks, with and without the causal
//! mask, learn next characters in lock-step on the same batches. Each snapshot
//! runs the causality check on the user's text and its edited copy; every
//! few hundred steps both models write a continuation.

use super::{note, DecoderView, MODELS};
use crate::data::chars::{windows, CharCorpus, CharVocab};
use crate::data::text::toy_corpus;
use crate::event::{Series, Snapshot};
use crate::labs::char_lm_train::{probability, sample_index};
use crate::labs::twins::{self, Twin};
use crate::labs::{LocalFuture, Training};
use crate::models::gpt::{lm_loss, Gpt, GptConfig, Positions};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;
use std::collections::BTreeSet;

/// Characters per window (the GPT's block size): the longest text checked.
const SEQ: usize = 32;
/// Windows per training step.
const BATCH: usize = 32;
/// Sentences of the toy corpus: about 70,000 characters.
const SENTENCES: usize = 2000;
/// Both models write a continuation this often (and at the first and last snapshot).
const SAMPLE_EVERY: usize = 200;
/// Characters each continuation has.
const SAMPLE_LEN: usize = 40;
const TEMPERATURE: f64 = 0.8;

pub struct DecoderLab {
    /// With the mask, then without.
    twins: [Twin; 2],
    /// Each model's latest continuation of the text: characters and their probabilities.
    samples: [Vec<(String, f32)>; 2],
    train: Vec<u32>,
    vocab: CharVocab,
    /// Every word of the corpus, to tell a written word from garbage.
    words: BTreeSet<String>,
    text: String,
    edited: String,
    /// The step the samples were written at.
    sampled_at: Option<usize>,
    rng: Rng,
    seed: u64,
    lr: f64,
    steps: usize,
    step: usize,
    device: Device,
    plain: Device,
}

impl DecoderLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        let plain = device.clone();
        let device = device.clone().autodiff();
        let text = toy_corpus(SENTENCES, seed);
        let corpus = CharCorpus::new(&text, SEQ)?;
        let config = GptConfig::new(corpus.vocab.len(), SEQ, params.usize("layers")?, params.usize("heads")?, params.usize("width")?).with_positions(Positions::Rope).with_seed(seed);
        // The same seed gives both the same weights: only the mask differs.
        let twin = |causal: bool| Twin::new(config.clone().with_causal(causal).init(&device));
        Ok(Self {
            twins: [twin(true), twin(false)],
            samples: Default::default(),
            train: corpus.train,
            vocab: corpus.vocab,
            words: crate::data::text::words(&text).into_iter().collect(),
            text: params.get("text")?.to_string(),
            edited: params.get("edited")?.to_string(),
            sampled_at: None,
            rng: Rng::new(seed ^ 0xDEC),
            seed,
            lr: params.f64("lr")?,
            steps: params.usize("steps")?,
            step: 0,
            device,
            plain,
        })
    }

    /// The text and its edited copy as ids of equal length (at most SEQ): the
    /// copy is cut or padded with spaces to the text's length, so that both go
    /// through the very same computation.
    fn texts(&self) -> (Vec<i64>, Vec<i64>) {
        let encode = |s: &str| self.vocab.encode(s).into_iter().take(SEQ).map(|c| c as i64).collect::<Vec<_>>();
        let mut a = encode(&self.text);
        if a.is_empty() {
            a = encode("a dog sleeps in the barn");
        }
        let space = self.vocab.encode(" ").first().map_or(a[0], |&c| c as i64);
        let mut b = encode(&self.edited);
        b.resize(a.len(), space);
        (a, b)
    }

    /// The causality check and the attention maps, for one model, on the
    /// device: per position the largest logit change [T], then the first
    /// block's attention on the text [T·T].
    fn check(&self, model: &Gpt, a: &[i64], b: &[i64]) -> Tensor<1> {
        let t = a.len();
        let ids = |v: &[i64]| Tensor::<2, Int>::from_data(TensorData::new(v.to_vec(), [1, t]), &self.plain);
        let out = model.forward(ids(a), None, true);
        let other = model.logits(ids(b)); // [1, T, V]
        let change = (out.logits - other).abs().max_dim(2).reshape([t]); // [T]
        let first = out.attention.into_iter().next().expect("at least one block"); // [1, H, T, T]
        let attention = first.mean_dim(1).reshape([t * t]); // [T·T]
        Tensor::cat(vec![change, attention], 0)
    }

    /// A continuation of the text by one model: a character at a time, each
    /// read back, sampled and fed in again (the last SEQ characters as context).
    async fn write(&self, model: &Gpt, prompt: &[i64], rng: &mut Rng) -> Result<Vec<(String, f32)>, String> {
        let mut context = prompt.to_vec();
        let mut out = Vec::new();
        for _ in 0..SAMPLE_LEN {
            let window = &context[context.len().saturating_sub(SEQ)..];
            let t = window.len();
            let idx = Tensor::<2, Int>::from_data(TensorData::new(window.to_vec(), [1, t]), &self.plain);
            let logits = model.logits(idx).slice([0..1, t - 1..t]).reshape([-1]); // [V]
            let logits = logits.into_data_async().await.map_err(|e| format!("reading logits failed: {e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
            let next = sample_index(&logits, TEMPERATURE, rng);
            out.push((self.vocab.decode(&[next as u32]), probability(&logits, next)));
            context.push(next as i64);
        }
        Ok(out)
    }

    pub async fn read(&mut self) -> Result<(Snapshot, DecoderView), String> {
        let (a, b) = self.texts();
        let t = a.len();
        let models: Vec<Gpt> = self.twins.iter().map(|tw| tw.model().valid()).collect();
        let (n, mut parts) = twins::pending(&mut self.twins);
        parts.extend(models.iter().map(|m| self.check(m, &a, &b)));
        let values = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
        let values = values.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let (losses, checks) = values.split_at(2 * n);
        let first = self.step - n;
        let mut series = Vec::new();
        for (k, (twin, name)) in self.twins.iter_mut().zip(["loss", "unmasked_loss"]).enumerate() {
            let points = twin.losses(&losses[k * n..(k + 1) * n], first, &format!("model {}", MODELS[k]), self.lr)?;
            series.push(Series { name: name.into(), points });
        }
        let due = self.sampled_at.is_none_or(|s| self.step >= s + SAMPLE_EVERY) || (self.step >= self.steps && self.sampled_at != Some(self.step));
        if due {
            for (k, model) in models.iter().enumerate() {
                // The same draws for both models and for every run of this seed.
                let mut rng = Rng::new(self.seed ^ self.step as u64);
                self.samples[k] = self.write(model, &a, &mut rng).await?;
            }
            self.sampled_at = Some(self.step);
        }
        let per_model = t + t * t;
        let change = [checks[..t].to_vec(), checks[per_model..per_model + t].to_vec()];
        let attention = [0, 1].map(|k| checks[k * per_model + t..(k + 1) * per_model].chunks(t).map(<[f32]>::to_vec).collect());
        let chars = |v: &[i64]| v.iter().map(|&c| self.vocab.decode(&[c as u32])).collect::<Vec<_>>();
        let edit_at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(t);
        let samples = self.samples.clone();
        let real_words = [0, 1].map(|k| real_word_share(&samples[k], &self.words));
        let view = DecoderView { text: chars(&a), edited: chars(&b), edit_at, change, attention, samples, real_words };
        let losses = [self.twins[0].last_loss, self.twins[1].last_loss];
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        metrics.extend(losses[0].map(|v| ("loss".to_string(), v as f64)));
        metrics.extend(losses[1].map(|v| ("unmasked_loss".to_string(), v as f64)));
        metrics.push(("causal_max_change".into(), view.max_change_before_edit(0) as f64));
        metrics.push(("unmasked_max_change".into(), view.max_change_before_edit(1) as f64));
        metrics.push(("sample_real_words".into(), real_words[0] as f64));
        metrics.push(("unmasked_sample_real_words".into(), real_words[1] as f64));
        let note = note(losses, &view);
        Ok((Snapshot { step: self.step, total_steps: self.steps, metrics, series, note, figures: Vec::new() }, view))
    }
}

/// The share of the whole words of a continuation (those between two spaces
/// or stops) that the corpus uses: high for a model that writes, low for garbage.
fn real_word_share(sample: &[(String, f32)], words: &BTreeSet<String>) -> f32 {
    let text: String = sample.iter().map(|(c, _)| c.as_str()).collect();
    let mut parts: Vec<&str> = text.split([' ', '.']).collect();
    // The first and last pieces may be cut words.
    parts.pop();
    let inner: Vec<&str> = parts.into_iter().skip(1).filter(|w| !w.is_empty()).collect();
    if inner.is_empty() {
        return 0.0;
    }
    inner.iter().filter(|w| words.contains(**w)).count() as f32 / inner.len() as f32
}

impl Training for DecoderLab {
    /// One step of each model on the same batch: forward → loss → backward →
    /// gradients → Adam.
    fn step(&mut self) {
        let (x, y) = windows(&self.train, BATCH, SEQ, &mut self.rng);
        let x = Tensor::<2, Int>::from_data(TensorData::new(x, [BATCH, SEQ]), &self.device); // [B, T]
        let y = Tensor::<2, Int>::from_data(TensorData::new(y, [BATCH, SEQ]), &self.device); // [B, T]
        for twin in &mut self.twins {
            let model = twin.take();
            let logits = model.logits(x.clone()); // [B, T, V]
            let loss = lm_loss(logits, y.clone()); // [1]
            let grads = loss.backward();
            let grads = GradientsParams::from_grads(grads, &model);
            let model = twin.optim.step(self.lr, model, grads);
            twin.put(model, loss);
        }
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.steps
    }
    fn set_live(&mut self, key: &str, value: &str) {
        match key {
            "text" => {
                self.text = value.to_string();
                self.sampled_at = None; // continue the new text now
            }
            "edited" => self.edited = value.to_string(),
            _ => {}
        }
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(text: &str, edited: &str) -> DecoderLab {
        let schema = crate::labs::schema("decoder");
        let mut p = Params::defaults(&schema);
        p.set(&schema, "text", text).unwrap();
        p.set(&schema, "edited", edited).unwrap();
        DecoderLab::new(&p, &crate::backend::cpu()).unwrap()
    }

    #[test]
    fn real_words_are_whole_words_the_corpus_uses() {
        let words: BTreeSet<String> = ["the", "dog", "barn"].iter().map(|w| w.to_string()).collect();
        let sample = |s: &str| s.chars().map(|c| (c.to_string(), 0.5)).collect::<Vec<_>>();
        assert_eq!(real_word_share(&sample("og the dog xqz. barn ba"), &words), 0.75);
        assert_eq!(real_word_share(&sample("qqqqqqq"), &words), 0.0);
    }

    #[test]
    fn the_edited_copy_takes_the_texts_length() {
        let short = lab("a cat", "a cow eats");
        let (a, b) = short.texts();
        assert_eq!((a.len(), b.len()), (5, 5));
        assert_eq!(short.vocab.decode(&b.iter().map(|&c| c as u32).collect::<Vec<_>>()), "a cow");
        let long = lab("the barn is big and the farm is far away from here", "x");
        let (a, b) = long.texts();
        assert_eq!((a.len(), b.len()), (SEQ, SEQ), "cut to the block size, padded with spaces");
    }

    /// Any later edit leaves every earlier logit of the masked model bit for
    /// bit the same, at every edit position, untrained and trained.
    #[test]
    fn no_later_edit_moves_an_earlier_logit_with_the_mask() {
        let mut lab = lab("a dog sleeps in the barn", "a dog sleeps in the barn");
        for round in 0..2 {
            let (a, _) = lab.texts();
            let models: Vec<Gpt> = lab.twins.iter().map(|tw| tw.model().valid()).collect();
            for at in 1..a.len() {
                let mut b = a.clone();
                b[at] = (b[at] + 1) % lab.vocab.len() as i64;
                let change = |k: usize| lab.check(&models[k], &a, &b).into_data().try_to_vec::<f32>().unwrap()[..a.len()].to_vec();
                let (masked, unmasked) = (change(0), change(1));
                assert!(masked[..at].iter().all(|&c| c == 0.0), "round {round}, edit at {at}: {:?}", &masked[..at]);
                assert!(masked[at] > 0.0, "the edited position itself moves");
                assert!(unmasked[..at].iter().any(|&c| c > 0.0), "without the mask earlier positions move");
            }
            for _ in 0..20 {
                lab.step();
            }
        }
    }
}
