//! Day 26: PPO and GRPO raise the reward of a CoT model that is only partly
//! right, in short seeded runs on the CPU backend (a CoT warm-up first, from
//! the cot lab's code), and a run that goes wrong stops with a message.

use reasonlab::data::files::DataFiles;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

fn run(settings: &[(&str, &str)]) -> (Vec<(u32, f32)>, Result<reasonlab::event::Snapshot, String>, Box<dyn Training>) {
    run_lab("ppo", "reward", settings)
}

/// Runs `lab` to its end or its first error, gathering the `curve` series.
fn run_lab(id: &str, curve: &str, settings: &[(&str, &str)]) -> (Vec<(u32, f32)>, Result<reasonlab::event::Snapshot, String>, Box<dyn Training>) {
    let schema = labs::schema(id);
    let mut p = Params::defaults(&schema);
    for (k, v) in settings {
        p.set(&schema, k, v).unwrap();
    }
    let mut lab = labs::start(id, &p, &reasonlab::backend::cpu(), &DataFiles::default()).unwrap();
    let (mut rewards, mut last) = (Vec::new(), Err("never read".to_string()));
    let started = std::time::Instant::now();
    while !lab.is_done() {
        let chunk = lab.max_chunk().unwrap_or(50);
        for _ in 0..chunk {
            lab.step();
        }
        last = pollster::block_on(lab.snapshot());
        match &last {
            Ok(s) => rewards.extend(s.series.iter().filter(|x| x.name == curve).flat_map(|x| x.points.clone())),
            Err(_) => break,
        }
    }
    eprintln!("{settings:?}: {:.1} s, rewards {rewards:?}, last {:?}", started.elapsed().as_secs_f64(), last.as_ref().map(|s| (&s.metrics, &s.note)));
    (rewards, last, lab)
}

/// The control was trained and scored on the same held-out questions: the
/// headline is the paired difference to it, with its interval.
fn control_beside(last: &reasonlab::event::Snapshot, method: &str) {
    let m = |k: &str| last.metric(k).unwrap_or_else(|| panic!("{method}: no {k}: {:?}", last.metrics));
    assert!((m("gain_over_control") - (m("accuracy") - m("control_accuracy"))).abs() < 1e-9, "{method}: {:?}", last.metrics);
    assert!(m("gain_over_control_lo") <= m("gain_over_control") && m("gain_over_control") <= m("gain_over_control_hi"));
    assert_eq!(m("gain_over_control_n"), m("accuracy_n"));
    assert!(last.series.iter().any(|s| s.name == "accuracy:control"), "{method}: the control is drawn on the accuracy chart");
    assert!(last.note.contains("The control (the same start fine-tuned on the right chains of the same questions"), "{}", last.note);
}

fn mean(points: &[(u32, f32)]) -> f32 {
    points.iter().map(|p| p.1).sum::<f32>() / points.len().max(1) as f32
}

/// A CoT model warmed up on 2-digit sums, then tuned for 30 steps.
const BASE: [(&str, &str); 6] = [("task", "add"), ("level", "2"), ("warmup", "300"), ("steps", "30"), ("eval_every", "30"), ("seed", "3")];

#[test]
fn grpo_and_ppo_raise_an_easy_reward() {
    // The toy reward pays for writing 7 whatever the question: at first a
    // tenth of answers (the format's 0.1), and both methods find it.
    // Measured natively: 0.10 → 0.82 (GRPO), 0.10 → 0.84 (PPO, with its
    // earlier one-layer value head) by step 30.
    for method in ["grpo", "ppo"] {
        let mut settings = BASE.to_vec();
        settings.extend([("method", method), ("reward", "seven"), ("lr", "0.0003")]);
        let (rewards, last, lab) = run(&settings);
        let last = last.unwrap_or_else(|e| panic!("{method}: {e}"));
        assert_eq!(rewards.len(), 30, "{method}: a batch of answers each step");
        let (first, end) = (mean(&rewards[..5]), mean(&rewards[rewards.len() - 5..]));
        assert!(first < 0.3 && end > first + 0.3, "{method}: reward {first:.3} → {end:.3}");
        for m in ["kl", "clip_fraction", "entropy", "mean_reward", "accuracy", "start_accuracy"] {
            assert!(last.metric(m).is_some_and(f64::is_finite), "{method}: no {m}: {:?}", last.metrics);
        }
        // Whatever reward trains, the answers' rightness and their chains' checked steps are both reported.
        for m in ["drawn_right", "drawn_steps", "step_accuracy", "start_step_accuracy", "control_step_accuracy"] {
            assert!(last.metric(m).is_some_and(|v| (0.0..=1.0).contains(&v)), "{method}: no {m}: {:?}", last.metrics);
        }
        // A warmed-up CoT model writes chains that mostly check on sums it half knows.
        assert!(last.metric("start_step_accuracy").unwrap() > 0.5, "{method}: {:?}", last.metrics);
        assert_eq!(last.metric("value_loss").is_some(), method == "ppo");
        control_beside(&last, method);
        // The tuned model travels like every week 4 model.
        assert!(pollster::block_on(lab.save()).is_ok());
    }
}

#[test]
fn a_policy_that_runs_away_stops_with_a_message_and_keeps_the_last_good_model() {
    let mut settings = BASE.to_vec();
    settings.extend([("lr", "0.01"), ("kl", "0")]);
    let (_, last, lab) = run(&settings);
    let err = last.expect_err("a learning rate of 0.01 moves the policy far in one step");
    assert!(err.contains("KL exploded at step"), "{err}");
    assert!(err.contains("the model from the step before is kept"), "{err}");
    assert!(pollster::block_on(lab.save()).is_ok(), "the kept model can still be saved");
}

#[test]
fn dpo_learns_to_prefer_the_right_chain() {
    // Against corrupted chains (the right one with one character changed,
    // a fixed kind of pair) the preference is learned within 30 steps: the
    // chosen chain's implicit reward passes the rejected one's.
    let mut settings = BASE.to_vec();
    settings.extend([("pairs", "16"), ("rejected", "corrupted"), ("lr", "0.0001")]);
    let (right, last, lab) = run_lab("dpo", "reward_accuracy", &settings);
    let last = last.unwrap_or_else(|e| panic!("dpo: {e}"));
    assert_eq!(right.len(), 30, "an update each step");
    let (first, end) = (mean(&right[..5]), mean(&right[right.len() - 5..]));
    assert!(end > 0.7 && end > first + 0.15, "pairs ranked right: {first:.3} → {end:.3}");
    let metric = |m: &str| last.metric(m).unwrap_or_else(|| panic!("no {m}: {:?}", last.metrics));
    assert!(metric("chosen_reward") > metric("rejected_reward"), "{:?}", last.metrics);
    assert_eq!(metric("own_rejected"), 0.0, "every rejected chain corrupted");
    for m in ["accuracy", "start_accuracy", "margin", "dpo_loss"] {
        assert!(metric(m).is_finite());
    }
    control_beside(&last, "dpo");
    assert!(pollster::block_on(lab.save()).is_ok());

    // The model's own wrong answers, where it writes them, are the rejected chains.
    let mut settings = BASE.to_vec();
    settings.extend([("pairs", "8"), ("tries", "4"), ("steps", "3")]);
    let (_, last, _) = run_lab("dpo", "reward_accuracy", &settings);
    let own = last.unwrap_or_else(|e| panic!("dpo: {e}")).metric("own_rejected").unwrap();
    assert!(own > 0.0, "own wrong answers: {own}");
}

#[test]
fn ppo_holds_the_policy_still_while_its_critic_warms_up() {
    // Three updates of the critic alone, then two of everything: the KL to
    // the start stays 0 until the policy is let go.
    let settings = [("task", "add"), ("level", "2"), ("warmup", "30"), ("method", "ppo"), ("value_warmup", "3"), ("lr", "0.003"), ("steps", "5"), ("eval_every", "5"), ("questions", "4"), ("group", "4"), ("seed", "3")];
    let (kl, last, _) = run_lab("ppo", "kl", &settings);
    let last = last.unwrap();
    assert_eq!(kl.iter().map(|p| p.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5], "{kl:?}");
    assert!(kl[..3].iter().all(|p| p.1.abs() < 1e-7), "the policy moved while the critic warmed up: {kl:?}");
    assert!(kl[3..].iter().all(|p| p.1 > 1e-7), "the policy never moved after: {kl:?}");
    assert!(last.metric("value_loss").is_some_and(f64::is_finite));
}

/// Warming up to the edge: the warm-up is checked every 50 steps and stops
/// at the first check that gets 30–70 % of its own held-out problems right,
/// so tuning starts where it has something to learn, whatever the seed.
#[test]
fn the_warm_up_stops_at_the_edge() {
    let mut settings = BASE.to_vec();
    settings.extend([("warmup", "1000"), ("warmup_to", "edge"), ("steps", "1"), ("eval_every", "1")]);
    let (_, last, lab) = run(&settings);
    let last = last.unwrap_or_else(|e| panic!("{e}"));
    let note = &last.note;
    let at: usize = note.split("Its start: a warm-up of ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{note}"));
    assert!(note.contains("(at the edge: 30–70 %)"), "{note}");
    assert!(at > 0 && at < 1000 && at % 50 == 0, "stopped at a check, before the most: {at}");
    assert_eq!(lab.total_steps(), at + 1, "the warm-up's steps done, then tuning's");
    // The tuning set's own start score (200 other problems) is near the edge too.
    let start = last.metric("start_accuracy").unwrap();
    assert!((0.15..=0.85).contains(&start), "{start}");
}
