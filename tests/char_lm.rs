//! Days 8 and 9: the char-level RNN and LSTM learn, on the CPU backend, seeded.

use reasonlab::data::files::DataFiles;
use reasonlab::data::text::SHAKESPEARE;
use reasonlab::event::Snapshot;
use reasonlab::labs::char_lm::CharLmView;
use reasonlab::labs::char_lm_train::{sample_index, CharLmLab};
use reasonlab::labs::{self, Training};
use reasonlab::rng::Rng;
use reasonlab::settings::Params;

fn run(lab: &str, pairs: &[(&str, &str)]) -> Vec<(Snapshot, CharLmView)> {
    let schema = labs::schema(lab);
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    let files = DataFiles::read_dir(&DataFiles::default_dir(), &[SHAKESPEARE]).unwrap();
    let mut lab = CharLmLab::new(lab == "lstm", &p, &reasonlab::backend::cpu(), &files).unwrap();
    let mut snaps = vec![pollster::block_on(lab.read()).unwrap()];
    while !lab.is_done() {
        for _ in 0..50 {
            if !lab.is_done() {
                Training::step(&mut lab);
            }
        }
        snaps.push(pollster::block_on(lab.read()).unwrap());
    }
    snaps
}

#[test]
fn both_models_learn_shakespeare_characters() {
    for lab in ["rnn", "lstm"] {
        let snaps = run(lab, &[("hidden", "48"), ("steps", "200"), ("seed", "1")]);
        let val = |s: &(Snapshot, CharLmView)| s.0.metric("val_loss").unwrap();
        let (first, last) = (val(&snaps[0]), val(snaps.last().unwrap()));
        assert!(last < first - 0.8, "{lab}: validation loss {first} → {last}");
        let view = &snaps.last().unwrap().1;
        let sample = view.sample.as_ref().unwrap();
        assert_eq!(sample.text.chars().count(), 120);
        assert!(sample.maps.iter().all(|(_, rows)| rows.len() == 40 && rows[0].len() == 24));
        assert_eq!(sample.maps.len(), if lab == "lstm" { 4 } else { 1 });
    }
}

#[test]
fn temperature_sharpens_or_flattens_sampling() {
    let logits = [2.0f32, 1.0, 0.0];
    let share = |t: f64| {
        let mut rng = Rng::new(3);
        (0..4000).filter(|_| sample_index(&logits, t, &mut rng) == 0).count() as f64 / 4000.0
    };
    assert!(share(0.1) > 0.99);
    assert!((share(1.0) - 0.665).abs() < 0.03, "softmax(2,1,0)[0] = 0.665: {}", share(1.0));
    assert!(share(100.0) < 0.4);
}

#[test]
fn a_prompt_is_continued_and_unknown_characters_are_skipped_with_a_note() {
    let snaps = run("lstm", &[("hidden", "16"), ("steps", "50"), ("prompt", "ROMEO: ☃ my"), ("seed", "1")]);
    let view = &snaps.last().unwrap().1;
    let text = &view.sample.as_ref().unwrap().text;
    assert!(text.starts_with("ROMEO:  my"), "{text:?}");
    assert_eq!(text.chars().count(), 10 + 120);
    assert!(view.note.contains("“☃” never occur in the text"), "{}", view.note);
}
