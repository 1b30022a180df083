//! Days 11–13: one layer of self-attention learns to reverse strings, its
//! heatmap rows are distributions, and several heads split the work.

use reasonlab::data::files::DataFiles;
use reasonlab::event::Snapshot;
use reasonlab::labs::attention::AttentionView;
use reasonlab::labs::attention_train::AttentionLab;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

/// A snapshot with the view its figures are drawn from.
struct Read(Snapshot, AttentionView);

impl Read {
    fn metric(&self, name: &str) -> Option<f64> {
        self.0.metric(name)
    }
}

fn run(lab: &str, pairs: &[(&str, &str)]) -> (Read, Read) {
    let schema = labs::schema(lab);
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = AttentionLab::new(lab, &p, &reasonlab::backend::cpu()).unwrap();
    let (first, view) = pollster::block_on(lab.read()).unwrap();
    let mut snap = Read(first.clone(), view);
    let mut losses = Vec::new();
    while !lab.is_done() {
        for _ in 0..100 {
            Training::step(&mut lab);
        }
        let (s, v) = pollster::block_on(lab.read()).unwrap();
        losses.extend(s.series.iter().filter(|s| s.name == "loss").flat_map(|s| s.points.clone()));
        snap = Read(s, v);
    }
    assert!(losses.last().unwrap().1 < losses[0].1 / 3.0, "loss {:?} → {:?}", losses[0], losses.last());
    let view = snap.1.clone();
    (Read(first, view), snap)
}

fn view(read: &Read) -> &AttentionView {
    &read.1
}

#[test]
fn day_11_learns_to_reverse_and_shows_every_matrix() {
    let (first, last) = run("attention", &[("text", "hello"), ("seed", "1")]);
    assert!(first.metric("accuracy").unwrap() < 0.2);
    assert!(last.metric("accuracy").unwrap() > 0.95, "accuracy {:?}", last.metric("accuracy"));
    let v = view(&last);
    let shapes: Vec<String> = v.matrices.iter().map(|m| m.shape()).collect();
    assert_eq!(shapes, ["5×16", "5×16", "5×16", "5×16", "5×5", "5×5", "5×16"]);
    assert_eq!(v.answers, ["olleh"]);
    assert_eq!(v.expected, ["olleh"]);
}

#[test]
fn day_12_heatmap_rows_sum_to_1_and_become_an_anti_diagonal() {
    let (_, last) = run("attention-map", &[("text", "Sent3nce!"), ("seed", "1")]);
    let v = view(&last);
    assert_eq!(v.tokens.concat(), "sentnce_");
    assert!(v.note.contains("not in the vocabulary"), "{}", v.note);
    for row in &v.heads[0] {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    assert!(v.focus[0].mirror > 0.8, "weight on the mirror position: {}", v.focus[0].mirror);
    assert!(last.metric("accuracy").unwrap() > 0.9);
}

#[test]
fn day_13_heads_specialise() {
    let (_, last) = run("multihead", &[("seed", "1")]);
    let v = view(&last);
    assert_eq!(v.heads.len(), 4);
    let best_mirror = v.focus.iter().map(|f| f.mirror).fold(0.0, f32::max);
    let best_previous = v.focus.iter().map(|f| f.previous).fold(0.0, f32::max);
    assert!(best_mirror > 0.6 && best_previous > 0.6, "heads: {:?}", v.focus);
    assert!(last.metric("accuracy").unwrap() > 0.8, "accuracy {:?}", last.metric("accuracy"));
}

#[test]
fn a_width_that_does_not_split_into_heads_is_a_message() {
    let schema = labs::schema("multihead");
    let mut p = Params::defaults(&schema);
    p.set(&schema, "d_model", "30").unwrap();
    let err = labs::start("multihead", &p, &reasonlab::backend::cpu(), &DataFiles::default()).err().unwrap();
    assert!(err.contains("does not split into 4 heads"), "{err}");
}
