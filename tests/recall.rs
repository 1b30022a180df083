//! Days 10 and 14: on the recall task, the LSTM reaches further back than the
//! RNN, its gradient does not vanish as fast, and one layer of attention
//! reaches every distance. CPU backend, seeded.

use reasonlab::event::Snapshot;
use reasonlab::labs::recall::RecallView;
use reasonlab::labs::recall_train::RecallLab;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

fn run(lab: &str, pairs: &[(&str, &str)]) -> (Snapshot, RecallView) {
    let schema = labs::schema(lab);
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = RecallLab::new(lab == "attention-vs-rnn", &p, &reasonlab::backend::cpu()).unwrap();
    let mut read = pollster::block_on(lab.read()).unwrap();
    while !lab.is_done() {
        for _ in 0..60 {
            Training::step(&mut lab);
        }
        read = pollster::block_on(lab.read()).unwrap();
    }
    read
}

fn view(read: &(Snapshot, RecallView)) -> &RecallView {
    &read.1
}

#[test]
fn the_lstm_beats_the_rnn_at_distance_20_and_beyond() {
    let snap = run("rnn-vs-lstm", &[("max_distance", "40"), ("steps", "400"), ("seed", "1")]);
    let m = |k: &str| snap.0.metric(k).unwrap_or_else(|| panic!("no metric {k}"));
    for d in [20, 30, 40] {
        let (rnn, lstm) = (m(&format!("rnn_accuracy_at_{d}")), m(&format!("lstm_accuracy_at_{d}")));
        assert!(lstm > 0.9 && lstm > rnn + 0.3, "at D = {d}: LSTM {lstm}, RNN {rnn}");
    }
    assert!(m("rnn_accuracy_at_1") > 0.25, "the RNN learns something where the key is close (chance is 0.125)");
    // The gradient reaching 40 steps back, relative to the one at the question.
    let v = view(&snap);
    let reach = |k: usize| v.models[k].grad_norms[40] / v.models[k].grad_norms[0];
    assert_eq!(v.models[0].grad_norms.len(), 101, "k runs to 100 whatever the training distance");
    eprintln!("share of the gradient kept 40 steps back: RNN {:e}, LSTM {:e}", reach(0), reach(1));
    assert!(reach(0) < reach(1) / 10.0, "RNN keeps {:e} of its gradient 40 steps back, LSTM {:e}", reach(0), reach(1));
}

#[test]
fn attention_reaches_every_distance_and_the_report_has_three_rows() {
    let snap = run("attention-vs-rnn", &[("max_distance", "20"), ("steps", "200"), ("seed", "2")]);
    for d in [1, 5, 10, 20] {
        let a = snap.0.metric(&format!("attention_accuracy_at_{d}")).unwrap();
        assert!(a > 0.9, "attention at D = {d}: {a}");
    }
    let v = view(&snap);
    let table = v.table().all_rows();
    assert_eq!(table.len(), 4);
    assert_eq!(table[3][0], "attention");
    let ops: Vec<usize> = v.models.iter().map(|m| m.sequential_ops).collect();
    assert_eq!(ops, vec![21, 21, 1]);
    assert!(v.models.iter().all(|m| m.ms_per_step > 0.0 && m.steps == 200));
    assert!(v.models[2].steps_to_90.is_some());
}
