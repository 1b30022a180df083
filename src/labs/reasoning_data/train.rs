//! Day 22's "run": the sets are made when the lab is built (they are cheap);
//! its one step marks them done. Choosing another problem redraws the
//! tokenizer's view and the checker only.

use super::DataView;
use crate::data::reasoning::{generate, Spec};
use crate::event::Snapshot;
use crate::labs::{LocalFuture, Training};
use crate::rng::Rng;
use crate::settings::Params;
use burn::prelude::Device;
use std::collections::BTreeSet;

pub struct ReasoningDataLab {
    view: DataView,
    seed: u64,
    done: bool,
    /// Whether the table and the download went out already.
    sent: bool,
}

impl ReasoningDataLab {
    pub fn new(params: &Params, _device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        let task = params.get("task")?;
        let spec = Spec::new(task, params.usize("level")?)?;
        let n = params.usize("n")?;
        let train = generate(&spec, n, seed, &BTreeSet::new());
        let exclude: BTreeSet<String> = train.iter().map(|p| p.question.clone()).collect();
        // The test set: another seed, none of the training questions, and for
        // word problems the held-out templates.
        let test_spec = Spec { held_out: true, ..spec };
        let test = generate(&test_spec, (n / 5).max(1), seed.wrapping_add(1), &exclude);
        let mut lab = ReasoningDataLab { view: DataView { task: task.to_string(), train, test, index: params.usize("index")?.saturating_sub(1), corrupted: None }, seed, done: false, sent: false };
        lab.corrupt();
        Ok(lab)
    }

    /// A copy of the shown chain with one step changed (a digit or letter
    /// swapped for another), seeded by the problem.
    fn corrupt(&mut self) {
        let Some(chain) = self.view.shown().and_then(|p| p.chain.clone()) else { return };
        let mut rng = Rng::new(self.seed ^ self.view.index as u64);
        let mut steps: Vec<String> = chain.split(';').map(String::from).collect();
        let at = rng.below(steps.len() as u64) as usize;
        let chars: Vec<char> = steps[at].chars().collect();
        let spots: Vec<usize> = (0..chars.len()).filter(|&i| chars[i].is_ascii_alphanumeric()).collect();
        let Some(&spot) = spots.last() else { return };
        let c = chars[spot];
        let other = if c.is_ascii_digit() { char::from(b'0' + ((c as u8 - b'0' + 1 + rng.below(8) as u8) % 10)) } else if c == 'Z' { 'A' } else { char::from(c as u8 + 1) };
        steps[at] = chars.iter().enumerate().map(|(i, &ch)| if i == spot { other } else { ch }).collect();
        self.view.corrupted = Some((steps.join(";"), at));
    }

    pub fn view(&self) -> &DataView {
        &self.view
    }
}

impl Training for ReasoningDataLab {
    fn step(&mut self) {
        self.done = true;
    }
    fn steps_done(&self) -> usize {
        self.done as usize
    }
    fn total_steps(&self) -> usize {
        1
    }
    fn set_live(&mut self, key: &str, value: &str) {
        if key == "index" {
            self.view.index = value.parse::<usize>().unwrap_or(1).saturating_sub(1);
            self.corrupt();
        }
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        let v = &self.view;
        let chains: Vec<usize> = v.train.iter().map(|p| p.chain.as_deref().map_or(0, |c| c.split(';').count())).collect();
        let tokens: Vec<usize> = v.train.iter().map(|p| crate::data::reasoning::text(p, true).chars().count()).collect();
        let mean = |x: &[usize]| x.iter().sum::<usize>() as f64 / x.len().max(1) as f64;
        let metrics = vec![
            ("step".to_string(), self.steps_done() as f64),
            ("problems".into(), v.train.len() as f64),
            ("test_problems".into(), v.test.len() as f64),
            ("train_test_overlap".into(), crate::data::reasoning::overlap(&v.train, &v.test).len() as f64),
            ("mean_chain_steps".into(), mean(&chains)),
            ("mean_tokens".into(), mean(&tokens)),
            ("max_tokens".into(), tokens.iter().copied().max().unwrap_or(0) as f64),
        ];
        let mut figures = v.figures();
        if self.sent {
            // The table and the file do not change with the problem shown.
            figures.retain(|f| f.name == "tokens" || f.name == "checker");
        }
        self.sent = true;
        let note = format!("{} training problems ({}), a test set of {} made with the next seed and without any training question.", v.train.len(), v.task, v.test.len());
        let snap = Snapshot { step: self.steps_done(), total_steps: 1, metrics, series: Vec::new(), note, figures };
        Box::pin(async move { Ok(snap) })
    }
}
