//! Day 2: a one-hidden-layer MLP (784 → H → 10) on the real MNIST.

use crate::backend::Workload;
use crate::data::mnist::{self, CLASSES, PIXELS};
use crate::figure::{BarPanel, BarSeries, Bars, Counts, Figure, FigureSpec, Images, Plot};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Setting};
use serde::{Deserialize, Serialize};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "MNIST is 70,000 hand-written digits, 28 × 28 grey pixels each: 60,000 to learn from and 10,000 kept aside to test on. Flatten a digit and it is a vector of 784 numbers; the network has to map it to one of ten classes.",
        "The model is Day 1's MLP grown up: 784 inputs, one hidden layer of ReLU units, and 10 outputs whose softmax is the predicted probability of each digit. It learns by minibatch gradient descent (Adam) on the cross-entropy loss, one small random batch of training digits per step.",
        "The headline number is accuracy on the full 10,000-digit test set, which the network never trains on. The confusion matrix shows which digits it mixes up, and the grid shows test digits it gets wrong. Draw your own digit in the box and watch the ten probabilities move as you draw.",
        "Data: MNIST by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0), the full 60,000 + 10,000 set, loaded from this site.",
    ],
    settings: &[
        Setting { key: "hidden", label: "Hidden units", help: "Width of the hidden layer.", kind: Kind::Int { min: 1, max: 1024 }, default: "128" },
        Setting { key: "epochs", label: "Epochs", help: "Passes over the training digits.", kind: Kind::Int { min: 1, max: 50 }, default: "5" },
        Setting { key: "batch", label: "Batch size", help: "Training digits per step.", kind: Kind::Int { min: 1, max: 2048 }, default: "64" },
        Setting { key: "lr", label: "Learning rate", help: "Adam's step size.", kind: Kind::Float { min: 1e-6, max: 10.0 }, default: "0.001" },
        Setting {
            key: "train_size",
            label: "Training digits",
            help: "How many of the 60,000 training digits to use (the first N). The test set is always all 10,000.",
            kind: Kind::Int { min: 100, max: 60_000 },
            default: "60000",
        },
    ],
    presets: &[
        Preset { name: "Default: 128 hidden, 5 epochs (≥ 97% test)", values: &[("hidden", "128"), ("epochs", "5"), ("batch", "64"), ("lr", "0.001"), ("train_size", "60000")] },
        Preset { name: "Quick look: 10,000 digits, 1 epoch", values: &[("hidden", "64"), ("epochs", "1"), ("batch", "64"), ("lr", "0.001"), ("train_size", "10000")] },
        Preset { name: "Tiny network: 8 hidden units", values: &[("hidden", "8"), ("epochs", "3"), ("batch", "64"), ("lr", "0.003"), ("train_size", "60000")] },
        Preset { name: "Too high a learning rate", values: &[("hidden", "128"), ("epochs", "1"), ("batch", "64"), ("lr", "1"), ("train_size", "60000")] },
    ],
    workload: Workload::Large,
    figures: &[
        FigureSpec::curve("train_loss", "Training loss per step"),
        FigureSpec::share("test_accuracy", "Test accuracy (all 10,000 test digits)"),
        FigureSpec::plot("confusion", "Confusion matrix on the test set"),
        FigureSpec::plot("misclassified", "Test digits it gets wrong"),
        FigureSpec::pad("sketch-probs", "Predicted probabilities for your drawing"),
    ],
    data: |_| Ok(mnist::FILES),
    live: &[],
    takes: Takes::NOTHING,
    basic: &[],
};

/// How many wrongly classified test digits the page shows.
pub const SHOWN_MISSES: usize = 24;

/// One test digit the network gets wrong.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Miss {
    pub index: u32,
    pub label: u8,
    pub predicted: u8,
    pub pixels: Vec<u8>,
}

/// A pass over the full test set.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TestReport {
    pub step: usize,
    pub accuracy: f32,
    /// counts[true · 10 + predicted]
    pub confusion: Vec<u32>,
    pub misses: Vec<Miss>,
}

impl TestReport {
    /// Scores predictions against labels and keeps the first SHOWN_MISSES mistakes.
    pub fn new(step: usize, predicted: &[u8], labels: &[u8], image: impl Fn(usize) -> Vec<u8>) -> Self {
        let mut confusion = vec![0u32; CLASSES * CLASSES];
        let mut misses = Vec::new();
        for (i, (&p, &l)) in predicted.iter().zip(labels).enumerate() {
            confusion[l as usize * CLASSES + p as usize] += 1;
            if p != l && misses.len() < SHOWN_MISSES {
                misses.push(Miss { index: i as u32, label: l, predicted: p, pixels: image(i) });
            }
        }
        let correct: u32 = (0..CLASSES).map(|c| confusion[c * CLASSES + c]).sum();
        Self { step, accuracy: correct as f32 / labels.len().max(1) as f32, confusion, misses }
    }
}

/// What the page draws: the latest test report, sent once when it is new.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MnistView {
    pub report: Option<TestReport>,
    pub note: String,
}

impl MnistView {
    /// The confusion matrix and the wrong digits when a new report is in;
    /// on the first snapshot, what will appear where.
    pub fn figures(&self, first: bool) -> Vec<Figure> {
        match &self.report {
            Some(r) => vec![confusion(r), misses(r)],
            None if first => vec![
                Figure::empty("confusion", "The confusion matrix appears after the first pass over the test set."),
                Figure::empty("misclassified", "Wrongly classified test digits appear after the first pass over the test set."),
                Figure::empty("sketch-probs", probs_caption(&[])),
            ],
            None => Vec::new(),
        }
    }
}

fn confusion(report: &TestReport) -> Figure {
    let count = |t: usize, p: usize| report.confusion[t * CLASSES + p];
    let (mut worst, mut worst_n) = ((0, 0), 0);
    for t in 0..CLASSES {
        for p in (0..CLASSES).filter(|&p| p != t) {
            if count(t, p) > worst_n {
                (worst, worst_n) = ((t, p), count(t, p));
            }
        }
    }
    let total: u32 = report.confusion.iter().sum();
    let mistake = if worst_n > 0 { format!(" Most common mistake: {} read as {} ({worst_n} times).", worst.0, worst.1) } else { String::new() };
    let caption = format!("Confusion matrix at step {}: {:.2}% of {total} test digits on the diagonal.{mistake}", report.step, report.accuracy * 100.0);
    let counts = Counts { labels: (0..CLASSES).map(|c| c.to_string()).collect(), counts: report.confusion.clone(), row_desc: "true".into(), col_desc: "predicted".into() };
    Figure::new("confusion", Plot::Counts(counts), caption)
}

fn misses(report: &TestReport) -> Figure {
    let listed: Vec<String> = report.misses.iter().map(|m| format!("#{} {}→{}", m.index, m.label, m.predicted)).collect();
    let caption = if listed.is_empty() {
        format!("No test digit is wrong at step {}.", report.step)
    } else {
        format!("The first {} wrong test digits at step {} (true → predicted): {}.", listed.len(), report.step, listed.join(", "))
    };
    let images = Images {
        side: mnist::SIDE,
        images: report.misses.iter().map(|m| m.pixels.clone()).collect(),
        labels: report.misses.iter().map(|m| format!("{}→{}", m.label, m.predicted)).collect(),
    };
    Figure::new("misclassified", Plot::Images(images), caption)
}

/// The ten probabilities for a drawn digit as bars, the likeliest highlighted.
pub fn probs_figure(probs: &[f32]) -> Figure {
    let best = likeliest(probs);
    let panel = BarPanel {
        title: String::new(),
        x_desc: "digit".into(),
        categories: (0..probs.len()).map(|i| i.to_string()).collect(),
        series: vec![BarSeries {
            name: "P(digit)".into(),
            values: probs.to_vec(),
            labels: probs.iter().map(|p| if *p >= 0.01 { format!("{:.0}%", p * 100.0) } else { String::new() }).collect(),
        }],
        y_max: 1.1,
        colour_by_category: false,
        highlight: best,
        cutoff: None,
    };
    Figure::new("sketch-probs", Plot::Bars(Bars { panels: vec![panel] }), probs_caption(probs))
}

/// The digit with the highest probability, if there are any.
fn likeliest(probs: &[f32]) -> Option<usize> {
    probs.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i)
}

fn probs_caption(probs: &[f32]) -> String {
    match likeliest(probs) {
        Some(b) if probs.iter().any(|p| *p > 0.0) => {
            let all: Vec<String> = probs.iter().enumerate().map(|(i, p)| format!("{i}: {:.1}%", p * 100.0)).collect();
            format!("The network reads a {b} ({:.1}%). All ten: {}.", probs[b] * 100.0, all.join(", "))
        }
        _ => "Draw a digit in the black box: the ten probabilities appear here.".into(),
    }
}

/// Checks a drawn digit before it reaches the model.
pub fn check_sketch(pixels: &[f32]) -> Result<(), String> {
    if pixels.len() != PIXELS {
        return Err(format!("a drawing must have {PIXELS} pixels, not {}", pixels.len()));
    }
    if pixels.iter().any(|p| !p.is_finite()) {
        return Err("the drawing has pixels that are not numbers".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_counts_every_digit_once() {
        let labels = [0u8, 1, 2, 3, 3];
        let predicted = [0u8, 1, 3, 3, 2];
        let r = TestReport::new(7, &predicted, &labels, |i| vec![i as u8]);
        assert_eq!(r.confusion.iter().sum::<u32>(), 5);
        assert!((r.accuracy - 0.6).abs() < 1e-6);
        assert_eq!(r.confusion[2 * CLASSES + 3], 1);
        assert_eq!(r.misses.iter().map(|m| (m.index, m.label, m.predicted)).collect::<Vec<_>>(), vec![(2, 2, 3), (4, 3, 2)]);
        assert_eq!(r.misses[1].pixels, vec![4]);
    }

    #[test]
    fn sketches_are_checked() {
        assert!(check_sketch(&[0.0; PIXELS]).is_ok());
        assert!(check_sketch(&[0.0; 3]).unwrap_err().contains("784"));
        let mut bad = vec![0.0; PIXELS];
        bad[5] = f32::NAN;
        assert!(check_sketch(&bad).is_err());
    }
}
