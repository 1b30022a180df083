//! Day 19: a briefly trained GPT sampled several ways, seeded. Greedy loops
//! and finds its own text likely; hot sampling varies and does not; every
//! drawn token is one the cut-offs kept; top-k 1 is greedy; the same seed
//! writes the same text.

use reasonlab::data::files::DataFiles;
use reasonlab::figure::Plot;
use reasonlab::labs;
use reasonlab::labs::sampling::filter::{keep_count, ranked};
use reasonlab::settings::Params;

#[test]
fn greedy_loops_hot_sampling_varies_and_cut_offs_hold() {
    let schema = labs::schema("sampling");
    let mut p = Params::defaults(&schema);
    for (k, v) in [("steps", "300"), ("seed", "4"), ("length", "150"), ("at", "5")] {
        p.set(&schema, k, v).unwrap();
    }
    let names = (labs::spec("sampling").unwrap().data)(&p).unwrap();
    let files = DataFiles::read_dir(&DataFiles::default_dir(), names).unwrap();
    let mut lab = labs::sampling::SamplingLab::new(&p, &reasonlab::backend::cpu(), &files).unwrap();
    use reasonlab::labs::Training;
    let first = pollster::block_on(lab.snapshot()).unwrap();
    assert!(first.metric("distinct_2").is_none(), "no text before the GPT is trained");
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
    let (one, batch) = (last.metric("sample_tokens_per_sec").unwrap(), last.metric("batch32_tokens_per_sec").unwrap());
    eprintln!("sampling: {one:.0} characters/s one at a time, {batch:.0} with 32 at once");
    assert!(batch > one, "32 sequences at once write more characters a second than one");
    let compared = lab.compared().to_vec();
    for s in &compared {
        eprintln!("{:>22}: distinct-2 {:.3}, self-NLL {:.3}: {}", s.strategy.unwrap().describe(), s.distinct_2(), s.self_nll(), s.text.concat().replace('\n', "/"));
    }
    let (greedy, hot) = (&compared[0], &compared[3]);
    assert_eq!(greedy.strategy.unwrap().describe(), "greedy");
    assert_eq!(hot.strategy.unwrap().describe(), "T 1.5");
    assert!(greedy.self_nll() < 0.5 * hot.self_nll(), "greedy {} vs hot {}", greedy.self_nll(), hot.self_nll());
    assert!(greedy.distinct_2() < hot.distinct_2(), "greedy {} vs hot {}", greedy.distinct_2(), hot.distinct_2());

    // The user's nucleus sampling: every draw kept the fewest tokens reaching 0.9, and drew one of them.
    let yours = lab.yours().clone();
    assert_eq!(yours.text.len(), 150);
    for d in &yours.draws {
        assert_eq!(d.kept, keep_count(&d.probs, &ranked(&d.probs), 0, 0.9));
        assert!(d.order[..d.kept].contains(&d.token));
        let short: f64 = d.order[..d.kept - 1].iter().map(|&i| d.probs[i] as f64).sum();
        assert!(short < 0.9 && d.kept_mass as f64 + 1e-6 >= 0.9, "the smallest set reaching 0.9");
    }
    assert_eq!(last.metric("kept"), Some(yours.draws[4].kept as f64));
    assert_eq!(last.metric("distinct_2"), Some(yours.distinct_2()));
    let bars = last.figures.iter().find(|f| f.name == "distribution").unwrap();
    let Plot::Bars(b) = &bars.plot else { panic!("bars") };
    assert_eq!(b.panels[0].categories.len(), labs::sampling::SHOWN);
    assert!(b.panels[0].title.starts_with("step 5 of 150"));

    // Same settings, same text; top-k 1 at any temperature is greedy.
    lab.set_live("temperature", "0.8");
    let again = pollster::block_on(lab.snapshot()).unwrap();
    assert_eq!(lab.yours().text, yours.text, "seeded: the same text again");
    assert_eq!(again.metric("self_nll"), last.metric("self_nll"));
    lab.set_live("top_k", "1");
    pollster::block_on(lab.snapshot()).unwrap();
    assert_eq!(lab.yours().text, greedy.text);
    assert!(lab.yours().draws.iter().all(|d| d.kept == 1));
}
