//! Day 5's loop: train the source model, and project its embeddings at each
//! snapshot (t-SNE keeps its layout between snapshots and settles at the end).

use crate::data::files::DataFiles;
use crate::data::text::TOY_GROUPS;
use crate::event::Snapshot;
use crate::labs::mnist_train::MnistLab;
use crate::labs::projection::ProjectionView;
use crate::labs::word2vec_train::Word2vecLab;
use crate::labs::{self};
use crate::projection::pca::pca;
use crate::projection::tsne::Tsne;
use crate::labs::Training;
use crate::settings::Params;
use burn::prelude::Device;

/// t-SNE iterations after the model has finished training.
const SETTLE: usize = 300;
/// t-SNE iterations per snapshot while the model trains.
const LIVE_ITERS: usize = 5;

enum Source {
    Words(Box<Word2vecLab>),
    Digits(Box<MnistLab>),
}

pub struct ProjectionLab {
    source: Source,
    tsne: bool,
    perplexity: f64,
    points: usize,
    seed: u64,
    layout: Option<Tsne>,
    /// The model step whose embeddings the t-SNE affinities come from.
    affinities_at: usize,
    settled: usize,
    kl: Option<f64>,
}

impl ProjectionLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let source = match params.get("source")? {
            "mnist" => {
                let schema = labs::schema("mnist");
                let mut p = crate::settings::Params::defaults(&schema);
                p.set(&schema, "seed", params.get("seed")?)?;
                p.set(&schema, "epochs", "1")?;
                let lab = MnistLab::new(&p, device, files)?;
                Source::Digits(Box::new(lab.with_total(params.usize("steps")?)))
            }
            _ => {
                let schema = labs::schema("word2vec");
                let mut p = crate::settings::Params::defaults(&schema);
                for key in ["seed", "corpus", "steps"] {
                    p.set(&schema, key, params.get(key)?)?;
                }
                Source::Words(Box::new(Word2vecLab::new(&p, device, files)?))
            }
        };
        Ok(Self {
            source,
            tsne: params.get("method")? == "tsne",
            perplexity: params.f64("perplexity")?,
            points: params.usize("points")?,
            seed: params.u64("seed")?,
            layout: None,
            affinities_at: 0,
            settled: 0,
            kl: None,
        })
    }

    fn inner_steps(&self) -> (usize, usize) {
        match &self.source {
            Source::Words(l) => (l.steps_done(), l.total_steps()),
            Source::Digits(l) => (l.steps_done(), l.total_steps()),
        }
    }

    pub async fn read(&mut self) -> Result<(Snapshot, ProjectionView), String> {
        let (mut inner, (labels, groups, vectors)) = match &mut self.source {
            Source::Words(l) => {
                let snap = l.snapshot().await?;
                let (words, vectors) = l.embeddings(self.points).await?;
                let groups = words.iter().map(|w| TOY_GROUPS.iter().position(|g| g.contains(&w.as_str())).map_or(0, |g| g as u8 + 1)).collect();
                (snap, (words, groups, vectors))
            }
            Source::Digits(l) => {
                let snap = l.snapshot().await?;
                let (digits, vectors) = l.hidden(self.points).await?;
                (snap, (digits.iter().map(|d| d.to_string()).collect(), digits, vectors))
            }
        };
        let (points, summary, metric) = if self.tsne {
            // Affinities cost O(N²) bisections: refresh them from the latest
            // embeddings every tenth of training (and at its end), keeping the layout.
            let (done, total) = self.inner_steps();
            let stale = done >= self.affinities_at + (total / 10).max(1) || (done == total && self.affinities_at != done);
            let mut fresh = match self.layout.take() {
                Some(old) if !stale => old,
                old => {
                    self.affinities_at = done;
                    let mut t = Tsne::new(&vectors, self.perplexity, self.seed);
                    if let Some(old) = old {
                        t.y = old.y;
                        t.iteration = old.iteration;
                    }
                    t
                }
            };
            let mut kl = self.kl.unwrap_or(f64::NAN);
            if done < total || self.settled == 0 {
                for _ in 0..LIVE_ITERS {
                    kl = fresh.step();
                }
            }
            let pts = fresh.y.iter().map(|p| (p[0] as f32, p[1] as f32)).collect();
            self.layout = Some(fresh);
            self.kl = Some(kl);
            (pts, format!("t-SNE, perplexity {}: KL(P‖Q) = {kl:.3}", self.perplexity), ("kl", kl))
        } else {
            let r = pca(&vectors, 2);
            let share = r.explained.iter().sum::<f64>();
            let pts = r.coords.iter().map(|c| (c[0] as f32, c.get(1).copied().unwrap_or(0.0) as f32)).collect();
            (pts, format!("PCA: the two components explain {:.1}% and {:.1}% of the variance", r.explained[0] * 100.0, r.explained.get(1).unwrap_or(&0.0) * 100.0), ("explained_variance", share))
        };
        inner.metrics.retain(|(n, _)| n != "step");
        inner.metrics.insert(0, ("step".into(), self.steps_done() as f64));
        inner.metrics.push((metric.0.into(), metric.1));
        let note = inner.note;
        let series = inner.series.into_iter().map(|mut s| {
            if s.name == "train_loss" {
                s.name = "loss".into();
            }
            s
        });
        let snap = Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics: inner.metrics, series: series.collect(), note: note.clone(), figures: Vec::new() };
        Ok((snap, ProjectionView { method: if self.tsne { "tsne" } else { "pca" }.into(), points, labels, groups, summary, note }))
    }
}

impl Training for ProjectionLab {
    /// A training step of the model; once it is trained, a t-SNE iteration.
    fn step(&mut self) {
        let (done, total) = self.inner_steps();
        if done < total {
            match &mut self.source {
                Source::Words(l) => l.step(),
                Source::Digits(l) => l.step(),
            }
        } else if let Some(t) = self.layout.as_mut() {
            self.kl = Some(t.step());
            self.settled += 1;
        } else {
            // The layout starts at the first snapshot; until then there is nothing to settle.
            self.settled += 1;
        }
    }
    fn steps_done(&self) -> usize {
        self.inner_steps().0 + self.settled
    }
    fn total_steps(&self) -> usize {
        self.inner_steps().1 + if self.tsne { SETTLE } else { 0 }
    }
    fn snapshot(&mut self) -> crate::labs::LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}
