//! Day 4's training: batches of centre words with their whole window, noise
//! words from the unigram^0.75 table, Adam; and the neighbour queries.

use crate::data::files::DataFiles;
use crate::data::text::{self, Vocab, MOBY_DICK, SHAKESPEARE};
use crate::event::{Series, Snapshot};
use crate::labs::word2vec::{parse_terms, Neighbours, Word2vecView};
use crate::models::word2vec::{SkipGram, SkipGramConfig};
use crate::rng::Rng;
use crate::settings::Params;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use web_time::Instant;

/// Neighbours shown per query.
const TOP: usize = 5;

pub struct Word2vecLab {
    window: usize,
    negatives: usize,
    batch: usize,
    lr: f64,
    steps: usize,
    vocab: Vocab,
    corpus: Vec<u32>,
    noise: Vec<u32>,
    model: Option<SkipGram>,
    optim: ModuleOptimizer,
    rng: Rng,
    cursor: usize,
    step: usize,
    pending: Vec<Tensor<1>>,
    busy: f64,
    probe: String,
    analogy: String,
}

impl Word2vecLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        device.seed(seed);
        let raw = match params.get("corpus")? {
            "moby" => String::from_utf8_lossy(files.get(MOBY_DICK)?).into_owned(),
            "shakespeare" => String::from_utf8_lossy(files.get(SHAKESPEARE)?).into_owned(),
            _ => text::toy_corpus(3000, seed),
        };
        let tokens = text::words(&raw);
        let min_count = params.u64("min_count")?;
        let vocab = Vocab::build(&tokens, min_count);
        Self::on_tokens(params, device, &tokens, vocab)
    }

    /// word2vec on given text with a given vocabulary: the sentiment lab uses it
    /// to pre-train its embeddings on the review snippets, word for word aligned.
    pub fn on_tokens(params: &Params, device: &Device, tokens: &[String], vocab: Vocab) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        let min_count = params.u64("min_count")?;
        let window = params.usize("window")?.max(1);
        let mut rng = Rng::new(seed ^ 0x2FEC);
        let corpus = vocab.encode(tokens, params.f64("subsample")?, &mut rng);
        if vocab.len() < 10 || corpus.len() < 2 * window + 2 {
            return Err(format!(
                "The corpus leaves only {} distinct words seen at least {min_count} times ({} words of text after thinning): too few to learn from. Lower the minimum count or pick a larger corpus.",
                vocab.len(),
                corpus.len()
            ));
        }
        let model = SkipGramConfig::new(vocab.len(), params.usize("dims")?.max(2)).with_seed(seed).init(&device.clone().autodiff());
        Ok(Self {
            window,
            negatives: params.usize("negatives")?.max(1),
            batch: params.usize("batch")?.max(1),
            lr: params.f64("lr")?,
            steps: params.usize("steps")?,
            noise: vocab.noise_table(1_000_000),
            vocab,
            corpus,
            model: Some(model),
            optim: AdamConfig::new().init(),
            rng,
            cursor: 0,
            step: 0,
            pending: Vec::new(),
            busy: 0.0,
            probe: params.get("probe")?.to_string(),
            analogy: params.get("analogy")?.to_string(),
        })
    }

    /// Each query as signed vocabulary ids, or why it cannot be answered.
    fn queries(&self) -> Vec<(String, Result<Vec<(f32, usize)>, String>)> {
        let mut out: Vec<String> = self.probe.split(',').map(|q| q.trim().to_string()).filter(|q| !q.is_empty()).collect();
        if !self.analogy.trim().is_empty() {
            out.push(self.analogy.trim().to_string());
        }
        out.into_iter()
            .map(|q| {
                let terms = parse_terms(&q);
                let ids: Result<Vec<(f32, usize)>, String> = terms
                    .iter()
                    .map(|(sign, word)| match self.vocab.id(word) {
                        Some(id) => Ok((*sign, id)),
                        None => Err(format!("“{word}” is not in the vocabulary ({} words)", self.vocab.len())),
                    })
                    .collect();
                let ids = ids.and_then(|ids| if ids.is_empty() { Err("no word to look up".into()) } else { Ok(ids) });
                (q, ids)
            })
            .collect()
    }

    pub async fn read(&mut self) -> Result<(Snapshot, Word2vecView), String> {
        let n_steps = self.pending.len();
        let queries = self.queries();
        let model = self.model.as_ref().expect("model is present between steps");
        let unit = model.normalized().inner(); // [V, D]
        let v = self.vocab.len();
        // Query vectors as signed sums of unit rows: S [M, V] · unit [V, D].
        let answerable: Vec<&Vec<(f32, usize)>> = queries.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
        let m = answerable.len().max(1);
        let mut signs = vec![0.0f32; m * v];
        for (row, ids) in answerable.iter().enumerate() {
            for (sign, id) in ids.iter() {
                signs[row * v + id] += sign;
            }
        }
        let s = Tensor::<2>::from_data(TensorData::new(signs, [m, v]), &unit.device());
        let q = s.matmul(unit.clone()); // [M, D]
        let q = q.clone() / q.powi_scalar(2).sum_dim(1).sqrt().clamp_min(1e-8); // [M, D], unit length
        let sims = unit.matmul(q.transpose()); // [V, M]: cosine similarities
        let mut parts: Vec<Tensor<1>> = std::mem::take(&mut self.pending).into_iter().map(|t| t.inner()).collect();
        parts.push(sims.transpose().reshape([-1]));
        let data = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
        let values = data.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let (losses, sims) = values.split_at(n_steps);
        let first = self.step - n_steps;
        let mut loss = Series { name: "loss".into(), points: Vec::with_capacity(n_steps) };
        for (i, l) in losses.iter().enumerate() {
            if !l.is_finite() {
                return Err(format!("Training diverged at step {}: the loss became {l}. Lower the learning rate ({}) and press Reset.", first + i + 1, self.lr));
            }
            loss.points.push(((first + i + 1) as u32, *l));
        }
        let mut answered = 0;
        let shown = queries
            .into_iter()
            .map(|(query, ids)| {
                let result = ids.map(|ids| {
                    let row = &sims[answered * v..(answered + 1) * v];
                    answered += 1;
                    let mut order: Vec<usize> = (0..v).filter(|i| !ids.iter().any(|(_, id)| id == i)).collect();
                    order.sort_by(|a, b| row[*b].total_cmp(&row[*a]));
                    order.iter().take(TOP).map(|&i| (self.vocab.words[i].clone(), row[i])).collect()
                });
                Neighbours { query, result }
            })
            .collect();
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        if let Some(l) = loss.points.last() {
            metrics.push(("loss".into(), l.1 as f64));
        }
        if self.busy > 0.0 {
            metrics.push(("words_per_sec".into(), (self.step * self.batch) as f64 / self.busy));
        }
        let note = format!(
            "Vocabulary: {} words seen at least the minimum count; {} words of text after subsampling; each step trains {} centre words × {} context slots × (1 + {} noise words).",
            self.vocab.len(),
            self.corpus.len(),
            self.batch,
            2 * self.window,
            self.negatives
        );
        let snap = Snapshot { step: self.step, total_steps: self.steps, metrics, series: vec![loss], note: note.clone(), figures: Vec::new() };
        Ok((snap, Word2vecView { queries: shown, note }))
    }

    /// Unit-length input vectors [V, D] on the device, to start another model from.
    pub fn unit_vectors(&self) -> Tensor<2> {
        self.model.as_ref().expect("model is present between steps").normalized().detach()
    }

    /// The `n` most frequent words and their input vectors, for projections.
    pub async fn embeddings(&self, n: usize) -> Result<(Vec<String>, Vec<Vec<f32>>), String> {
        let model = self.model.as_ref().expect("model is present between steps");
        let n = n.min(self.vocab.len());
        let d = model.input.dims()[1];
        let rows = model.input.val().inner().slice([0..n, 0..d]);
        let flat = rows.into_data_async().await.map_err(|e| format!("reading embeddings failed: {e:?}"))?.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        Ok((self.vocab.words[..n].to_vec(), flat.chunks(d).map(<[f32]>::to_vec).collect()))
    }

    /// Cosine similarity of two words' vectors (tests and reports).
    pub async fn similarity(&self, a: &str, b: &str) -> Option<f32> {
        let (a, b) = (self.vocab.id(a)?, self.vocab.id(b)?);
        let unit = self.model.as_ref()?.normalized().inner();
        let d = unit.dims()[1];
        let rows = |i: usize| unit.clone().slice([i..i + 1, 0..d]);
        let dot = (rows(a) * rows(b)).sum();
        dot.into_data_async().await.ok()?.try_to_vec::<f32>().ok()?.first().copied()
    }
}

impl crate::labs::Training for Word2vecLab {
    /// One step: the next `batch` centre words in the text, each with every
    /// neighbour within the window, and `negatives` noise words per pair.
    fn step(&mut self) {
        let started = Instant::now();
        let (w, k, c) = (self.window, self.negatives, self.batch);
        let s = 2 * w;
        let n = self.corpus.len();
        let (mut centers, mut contexts, mut valid) = (Vec::with_capacity(c), Vec::with_capacity(c * s), Vec::with_capacity(c * s));
        for _ in 0..c {
            let at = self.cursor;
            self.cursor = (self.cursor + 1) % n;
            centers.push(self.corpus[at] as i64);
            for offset in (1..=w).flat_map(|d| [-(d as i64), d as i64]) {
                let j = at as i64 + offset;
                let inside = (0..n as i64).contains(&j);
                contexts.push(if inside { self.corpus[j as usize] as i64 } else { 0 });
                valid.push(if inside { 1.0f32 } else { 0.0 });
            }
        }
        let noise: Vec<i64> = (0..c * s * k).map(|_| self.noise[self.rng.below(self.noise.len() as u64) as usize] as i64).collect();
        let model = self.model.take().expect("model is present between steps");
        let device = model.input.device();
        let loss = model.loss(
            Tensor::from_data(TensorData::new(centers, [c]), &device),
            Tensor::from_data(TensorData::new(contexts, [c, s]), &device),
            Tensor::from_data(TensorData::new(noise, [c, s, k]), &device),
            Tensor::from_data(TensorData::new(valid, [c, s]), &device),
        ); // [1]
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optim.step(self.lr, model, grads));
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
    /// The queries are read at every snapshot; changing them never restarts training.
    fn set_live(&mut self, key: &str, value: &str) {
        match key {
            "probe" => self.probe = value.to_string(),
            "analogy" => self.analogy = value.to_string(),
            _ => {}
        }
    }
}
