//! Day 22: the lab makes a training and a test set that share no question,
//! shows one problem as tokens, catches a corrupted chain's first wrong step,
//! and offers the set as JSONL that reads back whole.

use reasonlab::data::reasoning::from_jsonl;
use reasonlab::figure::Plot;
use reasonlab::labs;
use reasonlab::settings::Params;

#[test]
fn every_task_makes_disjoint_sets_a_checked_chain_and_a_jsonl_file() {
    let schema = labs::schema("reasoning-data");
    for (task, level) in [("add", "4"), ("sub", "4"), ("mul", "3"), ("logic", "3"), ("word", "3")] {
        let mut p = Params::defaults(&schema);
        for (k, v) in [("task", task), ("level", level), ("n", "500"), ("index", "7"), ("seed", "2")] {
            p.set(&schema, k, v).unwrap();
        }
        let mut lab = labs::start("reasoning-data", &p, &reasonlab::backend::cpu(), &Default::default()).unwrap();
        let snap = pollster::block_on(lab.snapshot()).unwrap();
        let m = |k: &str| snap.metric(k).unwrap_or_else(|| panic!("{task}: no metric {k}"));
        assert_eq!((m("problems"), m("test_problems"), m("train_test_overlap")), (500.0, 100.0, 0.0), "{task}");
        let checker = snap.figure("checker").unwrap();
        assert!(checker.caption.contains("the checker finds the first wrong step at step"), "{task}: {}", checker.caption);
        let Plot::Tokens(t) = &checker.plot else { panic!("tokens") };
        assert!(t.lines[0].marks.is_empty(), "{task}: the generated chain checks");
        assert!(!t.lines[1].marks.is_empty(), "{task}: the corrupted copy does not");
        let Plot::Download(d) = &snap.figure("jsonl").unwrap().plot else { panic!("a download") };
        let (problems, bad) = from_jsonl(&d.text);
        assert_eq!((problems.len(), bad.len()), (500, 0));
        assert!(problems.iter().all(|p| p.task == task));
        // Another problem: only the views that show it are sent again.
        let before = snap.figure("tokens").unwrap().caption.clone();
        lab.set_live("index", "8");
        let next = pollster::block_on(lab.snapshot()).unwrap();
        assert!(next.figure("jsonl").is_none() && next.figure("problems").is_none());
        assert_ne!(next.figure("tokens").unwrap().caption, before, "{task}");
    }
}
