//! `Seen`'s tests: keys, round trips, and records of every density answering as a set.

use super::super::{generate, Spec};
use super::*;
use crate::rng::Rng;

#[test]
fn a_sum_and_its_swapped_twin_are_one_question() {
    assert_eq!(key("47+5"), "5+47");
    assert_eq!(key("5+47"), "5+47");
    assert_eq!(key("12*34"), "12*34");
    assert_eq!(key("34*12"), "12*34");
    assert_eq!(key("9+10"), "9+10", "numerically, not as text");
    assert_eq!(key("10+9"), "9+10");
    assert_eq!(key("47-5"), "47-5", "a difference has no twin");
    assert_eq!(key("Ann has 3 apples+"), "Ann has 3 apples+");
    let seen = Seen::of(&[Problem { question: "47+5".into(), answer: "52".into(), chain: None, task: "add".into(), difficulty: "2".into(), template: None }]);
    assert!(seen.contains("5+47") && seen.contains("47+5") && !seen.contains("47-5"));
}

#[test]
fn the_fingerprint_round_trips_in_two_to_three_bytes_a_question() {
    for (task, level, n) in [("add", 2, 5000), ("word", 3, 20_000), ("mul", 2, 1), ("logic", 2, 0)] {
        let set = generate(&Spec::new(task, level).unwrap(), n, 3, &BTreeSet::new());
        let seen = Seen::of(&set);
        let text = seen.encode();
        let back = Seen::decode(&text).unwrap();
        assert_eq!(back, seen, "{task}");
        assert_eq!(Seen::count(&text), Ok(seen.len()));
        assert!(set.iter().all(|p| back.contains(&p.question)));
        if n >= 5000 {
            // Three bytes are four characters of base64.
            assert!(text.len() < 4 * seen.len(), "{task}: {} characters for {}", text.len(), seen.len());
        }
    }
}

#[test]
fn a_fresh_set_sees_its_true_overlap_and_a_set_made_against_it_none() {
    let spec = Spec::new("add", 2).unwrap();
    let train = generate(&spec, 5000, 1, &BTreeSet::new());
    let seen = Seen::of(&train);
    // 2-digit sums: 8,100 questions, 4,095 keys; 5,000 drawn cover most keys.
    let fresh = generate(&spec, 1000, 77, &BTreeSet::new());
    let exact = fresh.iter().filter(|p| train.iter().any(|t| key(&t.question) == key(&p.question))).count();
    assert_eq!(seen.count_in(&fresh), exact);
    assert!(exact > 600, "{exact}");
    let clean = generate(&spec, 1000, 77, &seen);
    assert_eq!(seen.count_in(&clean), 0);
    assert!(!clean.is_empty());
}

#[test]
fn damaged_fingerprints_get_messages() {
    let seen = Seen::of(&generate(&Spec::new("add", 3).unwrap(), 300, 1, &BTreeSet::new()));
    let text = seen.encode();
    for bad in ["", "rice2:1:1:AA==", "rice1:40:1:AA==", "rice1:3:99999999:AA==", "rice1:3:1:!!", &text[..text.len() / 2]] {
        assert!(Seen::decode(bad).is_err() && Seen::count(bad).is_err(), "{bad}");
    }
    assert!(Seen::from_meta(&BTreeMap::new()).is_none());
    // A gap of 0 repeats a hash: counted once, as the set holds it.
    assert_eq!((Seen::count("rice1:0:3:AA=="), Seen::decode("rice1:0:3:AA==").map(|s| s.len())), (Ok(1), Ok(1)));
}

fn held(seen: &Seen) -> usize {
    seen.records.iter().chain([&seen.own]).map(|r| r.held()).sum::<usize>() + 4 * seen.fresh.capacity()
}

/// A record as a stranger might code it: any parameter, repeats and all.
fn coded(k: u32, hashes: &[u32]) -> String {
    let (mut bits, mut last) = (rice::Bits::default(), 0);
    for &h in hashes {
        rice::write(&mut bits, (h - last) as u64, k);
        last = h;
    }
    format!("{TAG}:{k}:{}:{}", hashes.len(), crate::base64::encode(&bits.bytes))
}

/// Sorted hashes, `n` of them, gaps drawn below `spread` (repeats among them where it is small).
fn drawn(n: usize, spread: u64, rng: &mut Rng) -> Vec<u32> {
    let mut h = rng.below(spread);
    (0..n)
        .map(|_| {
            let out = h as u32;
            h += rng.below(spread);
            out
        })
        .collect()
}

/// Every hash of `reference` and its neighbours, and random ones near
/// them and anywhere, answered as the set answers.
fn agrees(seen: &Seen, reference: &BTreeSet<u32>, rng: &mut Rng) {
    assert_eq!(seen.len(), reference.len());
    assert!(seen.hashes().eq(reference.iter().copied()));
    let top = reference.last().map_or(1, |&h| h as u64 + 2);
    let near = reference.iter().flat_map(|&h| [h, h.wrapping_sub(1), h.wrapping_add(1)]);
    let random: Vec<u32> = (0..21_000).map(|i| if i < 20_000 { rng.below(top) as u32 } else { rng.next_u64() as u32 }).collect();
    for h in near.chain(random) {
        assert_eq!(seen.holds(h), reference.contains(&h), "{h}");
    }
}

#[test]
fn sparse_and_dense_records_answer_as_a_set_and_round_trip() {
    let mut rng = Rng::new(5);
    // (hashes, spread of their gaps, parameter a stranger coded them with)
    for (n, spread, k) in [(0, 1, 0), (1, 1, 0), (63, 9, 0), (64, 9, 3), (65, 9, 1), (3000, 1 << 20, 20), (50_000, 85_000, 16), (200_000, 3, 0), (100_000, 1, 0), (40_000, 40, 31)] {
        let hashes = drawn(n, spread, &mut rng);
        let reference: BTreeSet<u32> = hashes.iter().copied().collect();
        let text = coded(k, &hashes);
        let seen = Seen::decode(&text).unwrap();
        assert_eq!(Seen::count(&text), Ok(reference.len()));
        agrees(&seen, &reference, &mut rng);
        // What is held: the coded bytes (three for four characters), and an index of an eighth of them.
        assert!(held(&seen) <= text.len() * 3 / 4 * 9 / 8 + 16, "{n}, {k}: {} held for {}", held(&seen), text.len());
        // Our own text comes back byte for byte; a stranger's as ours.
        let ours = seen.encode();
        assert_eq!(Seen::decode(&ours).unwrap().encode(), ours);
        assert_eq!(Seen::decode(&ours).unwrap(), seen);
        let mut made = Seen::default();
        reference.iter().for_each(|&h| made.insert(h));
        assert_eq!(made.encode(), ours, "{n}");
        agrees(&made, &reference, &mut rng);
    }
}

#[test]
fn added_and_merged_records_answer_as_a_set_and_a_dense_one_stays_small() {
    let mut rng = Rng::new(9);
    // A dense record (k = 0, gaps of 0 to 2: about 2.5 bits a hash) from a file, then a lab's own questions.
    let dense = drawn(300_000, 3, &mut rng);
    let text = coded(0, &dense);
    let mut reference: BTreeSet<u32> = dense.iter().copied().collect();
    let mut seen = Seen::decode(&text).unwrap();
    for i in 0..30_000 {
        // Some inside the dense run, some past it, some already in.
        let h = if i % 3 == 0 { dense[rng.below(dense.len() as u64) as usize] + 1 } else { rng.next_u64() as u32 };
        seen.insert(h);
        reference.insert(h);
    }
    agrees(&seen, &reference, &mut rng);
    let mine: Vec<u32> = (0..5000).map(|_| rng.next_u64() as u32).collect();
    let other = Seen::decode(&coded(12, &{ let mut m = mine.clone(); m.sort(); m })).unwrap();
    seen.extend(&other);
    reference.extend(&mine);
    agrees(&seen, &reference, &mut rng);
    // Recoded with the parameter that suits its gaps, not grown to the canonical one's size.
    assert!(held(&seen) < 2 * text.len(), "{} held for {}", held(&seen), text.len());
    let mut empty = Seen::default();
    empty.extend(&seen);
    assert_eq!(empty, seen);
    assert_eq!(Seen::decode(&seen.encode()).unwrap(), seen);
}
