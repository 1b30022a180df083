//! Day 7's runs: two sentiment models, stepped in turn on the same split.

use crate::stats::share_metrics;
use crate::data::files::DataFiles;
use crate::event::{Series, Snapshot};
use crate::labs::onehot_vs_embed::{agreement, nearest, Column, ReportView, NEGATIVE, POSITIVE};
use crate::labs::sentiment_train::SentimentLab;
use crate::labs::{self};
use crate::labs::Training;
use crate::settings::Params;
use burn::prelude::Device;
use web_time::Instant;

pub struct OnehotVsEmbedLab {
    runs: Vec<(String, SentimentLab, f64)>,
}

impl OnehotVsEmbedLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let schema = labs::schema("sentiment");
        let mut runs = Vec::new();
        for input in ["onehot", "embed"] {
            let mut p = Params::defaults(&schema);
            for key in ["vocab", "dims", "hidden", "epochs", "seed"] {
                p.set(&schema, key, params.get(key)?)?;
            }
            p.set(&schema, "input", input)?;
            p.set(&schema, "sentence", "")?;
            runs.push((input.to_string(), SentimentLab::new(&p, device, files)?, 0.0));
        }
        Ok(Self { runs })
    }

    pub async fn read(&mut self) -> Result<(Snapshot, ReportView), String> {
        let mut metrics = vec![("step".to_string(), self.steps_done() as f64)];
        let mut series = Vec::new();
        let mut columns = Vec::new();
        let words: Vec<&str> = POSITIVE.iter().chain(NEGATIVE.iter()).copied().collect();
        for (name, lab, seconds) in self.runs.iter_mut() {
            let started = Instant::now();
            // Through the boxed trait future: the sub-lab's read is compiled once, not again inlined here.
            let snap = lab.snapshot().await?;
            *seconds += started.elapsed().as_secs_f64();
            for s in snap.series {
                series.push(Series { name: format!("{name}_{}", s.name), points: s.points });
            }
            let accuracy = lab.last_test_accuracy();
            if let Some(a) = accuracy {
                metrics.extend(share_metrics(&format!("{name}_test_accuracy"), a as f64, lab.test_len()));
            }
            let pairs = nearest(&lab.word_vectors(&words).await?);
            let nn = agreement(&pairs);
            metrics.push((format!("{name}_nn_agreement"), nn as f64));
            metrics.push((format!("{name}_params"), lab.param_count() as f64));
            metrics.push((format!("{name}_train_seconds"), *seconds));
            columns.push(Column {
                name: if name == "onehot" { "one-hot (bag of words)" } else { "averaged embeddings" }.into(),
                test_accuracy: accuracy.unwrap_or(f32::NAN),
                params: lab.param_count(),
                train_seconds: *seconds,
                nn_agreement: nn,
                examples: pairs.iter().filter(|(w, _)| ["good", "boring", "beautiful", "mess"].contains(&w.as_str())).map(|(a, b)| format!("{a} → {b}")).collect(),
            });
        }
        let note = "Both models see the same training snippets in the same order and are scored on the same held-out fifth.".to_string();
        let snap = Snapshot { step: self.steps_done(), total_steps: self.total_steps(), metrics, series, note: note.clone(), figures: Vec::new() };
        Ok((snap, ReportView { columns, note }))
    }
}

impl Training for OnehotVsEmbedLab {
    /// One step of whichever model is behind: they advance together.
    fn step(&mut self) {
        if let Some(run) = self.runs.iter_mut().filter(|r| r.1.steps_done() < r.1.total_steps()).min_by_key(|r| r.1.steps_done()) {
            let started = Instant::now();
            run.1.step();
            run.2 += started.elapsed().as_secs_f64();
        }
    }
    fn steps_done(&self) -> usize {
        self.runs.iter().map(|r| r.1.steps_done()).sum()
    }
    fn total_steps(&self) -> usize {
        self.runs.iter().map(|r| r.1.total_steps()).sum()
    }
    fn snapshot(&mut self) -> crate::labs::LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}
