//! Day 21: a briefly trained GPT taken apart. Its components add up to its
//! parameter count, the data path has the real shapes, every head's
//! attention is a causal distribution, and the logit lens's last layer is the
//! model's output, exactly.

use reasonlab::data::files::DataFiles;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

#[test]
fn the_anatomy_adds_up_and_the_lens_ends_at_the_output() {
    let schema = labs::schema("anatomy");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("steps", "200"), ("seed", "6"), ("layers", "3"), ("prompt", "ROMEO: And what shall I say")] {
        p.set(&schema, k, v).unwrap();
    }
    let names = (labs::spec("anatomy").unwrap().data)(&p).unwrap();
    let files = DataFiles::read_dir(&DataFiles::default_dir(), names).unwrap();
    let mut lab = labs::anatomy::AnatomyLab::new(&p, &reasonlab::backend::cpu(), &files).unwrap();
    while !lab.is_done() {
        for _ in 0..100 {
            lab.step();
        }
        pollster::block_on(lab.snapshot()).unwrap();
    }
    let last = pollster::block_on(lab.snapshot()).unwrap();
    for f in &last.figures {
        eprintln!("{}: {}", f.name, f.caption);
    }
    let m = |key: &str| last.metric(key).unwrap_or_else(|| panic!("no metric {key}"));
    let view = lab.view().clone();
    // Default gpt width 96, context 64, 3 blocks, learned positions.
    let (c, l, t) = (96usize, 3usize, 64usize);
    let v = 65usize.max(view.params[0].1 / c);
    assert_eq!(view.total(), m("params") as usize, "the components add up to the model's count");
    assert_eq!(m("params_attention") as usize, l * (3 * c * c + 3 * c + c * c + c));
    assert_eq!(m("params_mlp") as usize, l * (8 * c * c + 5 * c));
    assert_eq!(m("params_layernorms") as usize, (2 * l + 1) * 2 * c);
    assert_eq!(m("params_position") as usize, t * c);
    assert_eq!(m("params_head") as usize, c * v);
    // The data path: 27 characters through width 96 and 4 heads.
    let find = |stage: &str| view.path.iter().find(|r| r[0].starts_with(stage)).unwrap_or_else(|| panic!("no stage {stage}")).clone();
    assert_eq!(find("characters")[2], "[1, 27]");
    assert_eq!(find("queries, keys")[1], format!("[{c}, {}]", 3 * c));
    assert_eq!(find("queries, keys")[2], format!("[1, 27, {}]", 3 * c));
    assert_eq!(find("split into 4 heads")[2], "[1, 4, 27, 24]");
    assert_eq!(find("scores")[2], "[1, 4, 27, 27]");
    assert_eq!(find("MLP: widen")[2], format!("[1, 27, {}]", 4 * c));
    assert_eq!(find("head:")[2], format!("[1, 27, {v}]"));
    // Every head of every block, each row a distribution over the past only.
    assert_eq!(view.attention.len(), l);
    for head in view.attention.iter().flatten() {
        for (i, row) in head.iter().enumerate() {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
            assert!(row[i + 1..].iter().all(|w| *w == 0.0));
        }
    }
    // The lens: L + 1 layers; the last is the output, exactly.
    assert_eq!(view.lens_top.len(), l + 1);
    assert_eq!(m("lens_output_gap"), 0.0);
    assert!(m("lens_right_at_output") > 0.2, "a trained model gets some next characters right: {}", m("lens_right_at_output"));
    let mean = |layer: usize| view.lens_right[layer].iter().sum::<f32>() / 26.0;
    assert!(mean(l) > mean(0), "the output predicts better than the bare embeddings: {} vs {}", mean(l), mean(0));
}
