//! Day 6's training: minibatches of bags of words, Adam, test passes, and the
//! word-by-word reading of the user's sentence.

use crate::stats::share_metrics;
use crate::data::files::DataFiles;
use crate::data::reviews::{self, Review};
use crate::data::text::{words, Vocab};
use crate::event::{Series, Snapshot};
use crate::labs::sentiment::{SentimentView, Verdict};
use crate::labs::word2vec_train::Word2vecLab;
use burn::module::Param;
use crate::models::text_classifier::{TextClassifier, TextClassifierConfig};
use crate::rng::Rng;
use crate::labs::Training;
use crate::settings::Params;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::softmax;

const TEST_SHARE: f64 = 0.2;
const TESTS_PER_EPOCH: usize = 4;
/// word2vec steps on the training snippets before the classifier starts (init = word2vec).
const PRETRAIN_STEPS: usize = 1000;

pub struct SentimentLab {
    batch: usize,
    lr: f64,
    total: usize,
    vocab: Vocab,
    train: Vec<Review>,
    test: Vec<Review>,
    model: Option<TextClassifier>,
    optim: ModuleOptimizer,
    device: Device,
    rng: Rng,
    order: Vec<usize>,
    step: usize,
    pending: Vec<Tensor<1>>,
    last_test: Option<(usize, f32)>,
    sentence: String,
    input: String,
    /// word2vec pre-training of the embeddings, while it lasts.
    pretrain: Option<Box<Word2vecLab>>,
    pretrain_steps: usize,
}

impl SentimentLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let all = reviews::parse(files.get(reviews::FILE)?)?;
        let (train, test) = reviews::split(all, TEST_SHARE, seed);
        let vocab = reviews::vocab(&train, params.usize("vocab")?);
        let input = params.get("input")?.to_string();
        let embed_dims = (input == "embed").then(|| params.usize("dims")).transpose()?;
        let device = device.clone().autodiff();
        let model = TextClassifierConfig::new(vocab.len(), params.usize("hidden")?.max(1), 2).with_embed_dims(embed_dims).with_seed(seed).init(&device);
        let batch = params.usize("batch")?.max(1);
        let pretrain = match (embed_dims, params.get("init")?) {
            (Some(dims), "word2vec") => {
                let schema = crate::labs::schema("word2vec");
                let mut p = Params::defaults(&schema);
                p.set(&schema, "dims", &dims.to_string())?;
                p.set(&schema, "seed", params.get("seed")?)?;
                p.set(&schema, "steps", &PRETRAIN_STEPS.to_string())?;
                let tokens: Vec<String> = train.iter().flat_map(|r| r.words.iter().cloned()).collect();
                Some(Box::new(Word2vecLab::on_tokens(&p, &device, &tokens, vocab.clone())?))
            }
            _ => None,
        };
        let pretrain_steps = if pretrain.is_some() { PRETRAIN_STEPS } else { 0 };
        Ok(Self {
            pretrain,
            pretrain_steps,
            batch,
            lr: params.f64("lr")?,
            total: params.usize("epochs")?.max(1) * train.len().div_ceil(batch),
            vocab,
            train,
            test,
            model: Some(model),
            optim: AdamConfig::new().init(),
            device,
            rng: Rng::new(seed ^ 0x5E27),
            order: Vec::new(),
            step: 0,
            pending: Vec::new(),
            last_test: None,
            sentence: params.get("sentence")?.to_string(),
            input,
        })
    }

    /// Word counts of each text: [N, V].
    fn bags<'a>(&self, texts: impl Iterator<Item = &'a [String]>) -> Tensor<2> {
        let v = self.vocab.len();
        let mut rows = 0;
        let mut data = Vec::new();
        for words in texts {
            let mut row = vec![0.0f32; v];
            for w in words {
                if let Some(id) = self.vocab.id(w) {
                    row[id] += 1.0;
                }
            }
            data.extend(row);
            rows += 1;
        }
        Tensor::from_data(TensorData::new(data, [rows, v]), &self.device)
    }

    fn labels<'a>(&self, reviews: impl Iterator<Item = &'a Review>) -> Tensor<1, Int> {
        let ys: Vec<i64> = reviews.map(|r| r.fresh as i64).collect();
        let n = ys.len();
        Tensor::from_data(TensorData::new(ys, [n]), &self.device)
    }

    fn test_due(&self) -> bool {
        let every = (self.train.len().div_ceil(self.batch) / TESTS_PER_EPOCH).max(1);
        let last = self.last_test.map_or(0, |t| t.0);
        self.step > 0 && (self.step - last >= every || (self.step >= self.total && last != self.step))
    }

    pub async fn read(&mut self) -> Result<(Snapshot, SentimentView), String> {
        if let Some(w2v) = self.pretrain.as_mut() {
            let mut snap = w2v.snapshot().await?;
            let loss = snap.metric("loss");
            let series = snap.series.drain(..).map(|mut s| {
                s.name = "pretrain_loss".into();
                s
            });
            let series: Vec<Series> = series.collect();
            let mut metrics = vec![("step".to_string(), self.steps_done() as f64)];
            metrics.extend(loss.map(|l| ("pretrain_loss".to_string(), l)));
            let note = format!("Pre-training the {}-word embeddings with word2vec on the training snippets: step {} of {PRETRAIN_STEPS}; the classifier starts after.", self.vocab.len(), self.steps_done());
            let snap = Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics, series, note: note.clone(), figures: Vec::new() };
            return Ok((snap, SentimentView { verdict: None, note }));
        }
        let n_steps = self.pending.len();
        let model = self.model.as_ref().expect("model is present between steps");
        let mut parts = std::mem::take(&mut self.pending);
        let testing = self.test_due();
        if testing {
            let x = self.bags(self.test.iter().map(|r| r.words.as_slice()));
            let y = self.labels(self.test.iter());
            let hits = model.forward(x).argmax(1).reshape([-1]).equal(y).float().mean(); // [1]
            parts.push(hits);
        }
        // The sentence, and the sentence without each of its known words in turn.
        let said = words(&self.sentence);
        let known: Vec<usize> = (0..said.len()).filter(|&i| self.vocab.id(&said[i]).is_some()).collect();
        let variants: Vec<Vec<String>> = std::iter::once(said.clone())
            .chain(known.iter().map(|&skip| said.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, w)| w.clone()).collect()))
            .collect();
        let reading = !known.is_empty();
        if reading {
            let x = self.bags(variants.iter().map(Vec::as_slice));
            let logits = model.forward(x); // [1 + W, 2]
            let margin = logits.clone().slice([0..variants.len(), 1..2]) - logits.clone().slice([0..variants.len(), 0..1]); // fresh − rotten
            parts.push(softmax(logits.slice([0..1, 0..2]), 1).reshape([-1])); // [2]
            parts.push(margin.reshape([-1])); // [1 + W]
        }
        let values = if parts.is_empty() {
            Vec::new()
        } else {
            let data = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
            data.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?
        };
        let (losses, rest) = values.split_at(n_steps);
        let first = self.step - n_steps;
        let mut loss = Series { name: "train_loss".into(), points: Vec::new() };
        for (i, l) in losses.iter().enumerate() {
            if !l.is_finite() {
                return Err(format!("Training diverged at step {}: the loss became {l}. Lower the learning rate ({}) and press Reset.", first + i + 1, self.lr));
            }
            loss.points.push(((first + i + 1) as u32, *l));
        }
        let mut series = vec![];
        let rest = if testing {
            self.last_test = Some((self.step, rest[0]));
            series.push(Series { name: "test_accuracy".into(), points: vec![(self.step as u32, rest[0])] });
            &rest[1..]
        } else {
            rest
        };
        let verdict = reading.then(|| Verdict {
            sentence: self.sentence.clone(),
            p_fresh: rest[1],
            words: known.iter().enumerate().map(|(k, &i)| (said[i].clone(), rest[2] - rest[3 + k])).collect(),
            unknown: said.iter().filter(|w| self.vocab.id(w).is_none()).cloned().collect(),
        });
        let mut metrics = vec![("step".to_string(), self.steps_done() as f64)];
        metrics.extend(loss.points.last().map(|p| ("train_loss".to_string(), p.1 as f64)));
        metrics.extend(self.last_test.map_or_else(Vec::new, |t| share_metrics("test_accuracy", t.1 as f64, self.test.len())));
        series.insert(0, loss);
        let params = self.model.as_ref().map_or(0, TextClassifier::param_count);
        let note = format!(
            "{} input, {} words in the vocabulary, {params} parameters; {} training and {} test snippets.{}",
            if self.input == "embed" { "Averaged-embedding" } else { "One-hot (bag-of-words)" },
            self.vocab.len(),
            self.train.len(),
            self.test.len(),
            if said.is_empty() { " Type a sentence to see how the model reads it." } else { "" }
        );
        let snap = Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics, series, note: note.clone(), figures: Vec::new() };
        Ok((snap, SentimentView { verdict, note }))
    }

    pub fn last_test_accuracy(&self) -> Option<f32> {
        self.last_test.map(|t| t.1)
    }

    /// The reviews the test accuracy is measured on.
    pub fn test_len(&self) -> usize {
        self.test.len()
    }

    pub fn param_count(&self) -> usize {
        self.model.as_ref().map_or(0, TextClassifier::param_count)
    }

    /// Each word's learned vector: its embedding, or for one-hot input the
    /// first layer's weights for that word (what the network learned about it).
    /// Returns unit-length rows for `words` that are in the vocabulary.
    pub async fn word_vectors(&self, words: &[&str]) -> Result<Vec<(String, Vec<f32>)>, String> {
        let model = self.model.as_ref().expect("model is present between steps");
        let table = match &model.embed {
            Some(e) => e.val(),
            None => model.fc1.weight.val(), // [V, H]: row v is word v's weights
        };
        let known: Vec<(String, usize)> = words.iter().filter_map(|w| self.vocab.id(w).map(|i| (w.to_string(), i))).collect();
        if known.is_empty() {
            return Ok(Vec::new());
        }
        let ids = Tensor::<1, Int>::from_data(TensorData::new(known.iter().map(|k| k.1 as i64).collect::<Vec<_>>(), [known.len()]), &self.device);
        let rows = table.select(0, ids).inner(); // [W, width]
        let width = rows.dims()[1];
        let flat = rows.into_data_async().await.map_err(|e| format!("reading word vectors failed: {e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        Ok(known
            .into_iter()
            .zip(flat.chunks(width))
            .map(|((w, _), r)| {
                let norm = r.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-8);
                (w, r.iter().map(|v| v / norm).collect())
            })
            .collect())
    }
}

impl Training for SentimentLab {
    fn step(&mut self) {
        if let Some(w2v) = self.pretrain.as_mut() {
            w2v.step();
            if w2v.steps_done() >= self.pretrain_steps {
                // Pre-training done: the classifier starts from word2vec's vectors.
                // Same scale as the random start (N(0, 0.1²) per dimension), so the
                // classifier's learning rate suits both: only the directions differ.
                let dims = w2v.unit_vectors().dims()[1] as f64;
                let vectors = w2v.unit_vectors() * (0.1 * dims.sqrt());
                let mut model = self.model.take().expect("model is present between steps");
                model.embed = Some(Param::from_tensor(vectors));
                self.model = Some(model);
                self.pretrain = None;
            }
            return;
        }
        let per_epoch = self.train.len().div_ceil(self.batch);
        if self.step % per_epoch == 0 {
            self.order = (0..self.train.len()).collect();
            for i in (1..self.order.len()).rev() {
                self.order.swap(i, self.rng.below(i as u64 + 1) as usize);
            }
        }
        let start = (self.step % per_epoch) * self.batch;
        let idx: Vec<usize> = self.order[start..(start + self.batch).min(self.train.len())].to_vec();
        let x = self.bags(idx.iter().map(|&i| self.train[i].words.as_slice())); // [B, V]
        let y = self.labels(idx.iter().map(|&i| &self.train[i])); // [B]
        let model = self.model.take().expect("model is present between steps");
        let logits = model.forward(x); // [B, 2]
        let loss = CrossEntropyLossConfig::new().init(&self.device).forward(logits, y); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optim.step(self.lr, model, grads));
        self.pending.push(loss.detach());
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.pretrain.as_ref().map_or(self.pretrain_steps, |w| w.steps_done()) + self.step
    }
    fn total_steps(&self) -> usize {
        self.pretrain_steps + self.total
    }
    fn snapshot(&mut self) -> crate::labs::LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
    fn set_live(&mut self, key: &str, value: &str) {
        if key == "sentence" {
            self.sentence = value.to_string();
        }
    }
}
