//! Day 4: skip-gram learns the toy corpus's word groups, on the CPU backend, seeded.

use reasonlab::data::text::TOY_GROUPS;
use reasonlab::labs::Training;
use reasonlab::labs::word2vec_train::Word2vecLab;
use reasonlab::labs::{self};
use reasonlab::settings::Params;

fn params(pairs: &[(&str, &str)]) -> Params {
    let schema = labs::schema("word2vec");
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    p
}

#[test]
fn related_words_end_up_closer_than_unrelated_ones() {
    let p = params(&[("seed", "1"), ("steps", "800")]);
    let mut lab = Word2vecLab::new(&p, &reasonlab::backend::cpu(), &Default::default()).unwrap();
    let (first, _) = pollster::block_on(lab.read()).unwrap();
    for _ in 0..800 {
        Training::step(&mut lab);
    }
    let (snap, view) = pollster::block_on(lab.read()).unwrap();
    let losses: Vec<f32> = snap.series[0].points.iter().map(|p| p.1).collect();
    assert!(losses[losses.len() - 1] < losses[0] * 0.7, "loss {} → {}", losses[0], losses[losses.len() - 1]);
    assert!(snap.metric("words_per_sec").unwrap() > 0.0);
    assert!(first.metric("loss").is_none());

    let sim = |a: &str, b: &str| pollster::block_on(lab.similarity(a, b)).unwrap();
    let (mut same, mut other) = (Vec::new(), Vec::new());
    for (g, group) in TOY_GROUPS.iter().enumerate() {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                same.push(sim(a, b));
            }
            for other_group in &TOY_GROUPS[g + 1..] {
                for b in other_group.iter() {
                    other.push(sim(a, b));
                }
            }
        }
    }
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    assert!(mean(&same) > mean(&other) + 0.3, "within groups {:.3}, across {:.3}", mean(&same), mean(&other));

    // The neighbours of "king" are royals, and an unknown word is a message.
    let king = view.queries.iter().find(|q| q.query == "king").unwrap().result.as_ref().unwrap();
    let royals = king.iter().take(3).filter(|(w, _)| TOY_GROUPS[0].contains(&w.as_str())).count();
    assert!(royals >= 2, "neighbours of king: {king:?}");
    lab.set_live("probe", "zebra, queen");
    let (_, view) = pollster::block_on(lab.read()).unwrap();
    assert!(view.queries[0].result.as_ref().unwrap_err().contains("not in the vocabulary"));
    assert!(view.queries[1].result.is_ok());
}

#[test]
fn a_corpus_too_small_gets_a_message() {
    let err = Word2vecLab::new(&params(&[("min_count", "1000")]), &reasonlab::backend::cpu(), &Default::default()).err().unwrap();
    assert!(err.contains("too few"), "{err}");
}
