//! Day 7: the report comes from two real runs on the same split.

use reasonlab::data::files::DataFiles;
use reasonlab::data::reviews;
use reasonlab::labs::onehot_vs_embed_train::OnehotVsEmbedLab;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

#[test]
fn both_models_train_and_the_report_compares_them() {
    let schema = labs::schema("onehot-vs-embed");
    let mut p = Params::defaults(&schema);
    p.set(&schema, "epochs", "1").unwrap();
    let files = DataFiles::read_dir(&DataFiles::default_dir(), &[reviews::FILE]).unwrap();
    let mut lab = OnehotVsEmbedLab::new(&p, &reasonlab::backend::cpu(), &files).unwrap();
    while !lab.is_done() {
        for _ in 0..200 {
            if !lab.is_done() {
                Training::step(&mut lab);
            }
        }
        pollster::block_on(lab.read()).unwrap();
    }
    let (snap, view) = pollster::block_on(lab.read()).unwrap();
    for name in ["onehot", "embed"] {
        let acc = snap.metric(&format!("{name}_test_accuracy")).unwrap();
        assert!(acc >= 0.7, "{name}: {acc}");
        assert!(snap.metric(&format!("{name}_train_seconds")).unwrap() > 0.0);
    }
    assert_eq!(view.columns.len(), 2);
    assert_eq!(view.columns[0].params, 5000 * 32 + 32 + 32 * 2 + 2);
    assert_eq!(view.columns[1].params, 5000 * 32 + 32 * 32 + 32 + 32 * 2 + 2);
    assert!(view.columns.iter().all(|c| (0.0..=1.0).contains(&c.nn_agreement) && !c.examples.is_empty()));
}
