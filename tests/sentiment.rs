//! Day 6: the review classifier learns on the real snippets, on the CPU backend, seeded.

use reasonlab::data::files::DataFiles;
use reasonlab::data::reviews;
use reasonlab::labs::Training;
use reasonlab::labs::sentiment_train::SentimentLab;
use reasonlab::labs::{self};
use reasonlab::settings::Params;

fn params(pairs: &[(&str, &str)]) -> Params {
    let schema = labs::schema("sentiment");
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    p
}

fn files() -> DataFiles {
    DataFiles::read_dir(&DataFiles::default_dir(), &[reviews::FILE]).unwrap()
}

fn train(pairs: &[(&str, &str)]) -> SentimentLab {
    let mut lab = SentimentLab::new(&params(pairs), &reasonlab::backend::cpu(), &files()).unwrap();
    while lab.steps_done() < lab.total_steps() {
        Training::step(&mut lab);
        if lab.steps_done() % 100 == 0 {
            pollster::block_on(lab.read()).unwrap();
        }
    }
    pollster::block_on(lab.read()).unwrap();
    lab
}

#[test]
fn one_epoch_of_either_input_passes_70_percent_on_held_out_snippets() {
    for input in ["onehot", "embed"] {
        let lab = train(&[("input", input), ("epochs", "1"), ("seed", "1")]);
        let acc = lab.last_test_accuracy().unwrap();
        assert!(acc >= 0.70, "{input}: test accuracy {acc}");
    }
}

#[test]
fn a_typed_sentence_gets_a_verdict_and_word_contributions() {
    let mut lab = train(&[("epochs", "1"), ("seed", "2")]);
    let verdict = |lab: &mut SentimentLab, text: &str| {
        lab.set_live("sentence", text);
        let (_, view) = pollster::block_on(lab.read()).unwrap();
        view.verdict
    };
    let good = verdict(&mut lab, "A wonderful, moving and beautiful film.").unwrap();
    let bad = verdict(&mut lab, "A dull, boring and tedious mess.").unwrap();
    assert!(good.p_fresh > 0.5 && bad.p_fresh < 0.5, "fresh {} vs {}", good.p_fresh, bad.p_fresh);
    let push = |v: &reasonlab::labs::sentiment::Verdict, w: &str| v.words.iter().find(|(x, _)| x == w).unwrap().1;
    assert!(push(&good, "wonderful") > 0.0 && push(&bad, "boring") < 0.0);
    let odd = verdict(&mut lab, "zxqv wonderful").unwrap();
    assert_eq!(odd.unknown, vec!["zxqv"]);
    assert!(verdict(&mut lab, "").is_none(), "an empty sentence gets no verdict, and no panic");
}

#[test]
fn embeddings_pretrained_by_word2vec_then_classify() {
    let lab = train(&[("input", "embed"), ("init", "word2vec"), ("epochs", "2"), ("seed", "3")]);
    // 1,000 word2vec steps, then two epochs of 10,202 training snippets in batches of 32.
    assert_eq!(lab.total_steps(), 1000 + 2 * 319);
    let acc = lab.last_test_accuracy().unwrap();
    assert!(acc >= 0.70, "test accuracy {acc}");
}
