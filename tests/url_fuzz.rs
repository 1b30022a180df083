//! The share-link parser takes anything without panicking, and what it writes
//! back reads again to the same state.

use proptest::prelude::*;
use reasonlab::url::{parse_hash, MAX_NOTICES};

const KEYS: &[&str] = &["lab", "gate", "model", "hidden", "lr", "steps", "seed", "backend", "run", "foo", "", "%", "<b>"];
const VALUES: &[&str] = &[
    "perceptron", "xor", "mlp", "gpt", "1", "0", "-1", "1e9", "NaN", "inf", "0.1", "webgpu", "cpu", "auto",
    "%3Cscript%3Ealert(1)%3C/script%3E", "<img src=x onerror=alert(1)>", "%ZZ", "%", "&&", "==", "é", "\u{0}",
];

fn pair() -> impl Strategy<Value = String> {
    (prop::sample::select(KEYS), prop::sample::select(VALUES), any::<String>(), 0..4u8).prop_map(|(k, v, junk, mode)| match mode {
        0 => format!("{k}={v}"),
        1 => format!("{k}={junk}"),
        2 => format!("{junk}={v}"),
        _ => junk,
    })
}

fn check(hash: &str) {
    let (state, notices) = parse_hash(hash);
    assert!(notices.len() <= MAX_NOTICES);
    assert!(notices.iter().all(|n| n.len() < 400), "notices stay short");
    assert!(reasonlab::labs::find(&state.lab).is_some());
    let written = state.to_hash();
    let (again, more) = parse_hash(&written);
    assert!(more.is_empty(), "{written} → {more:?}");
    assert_eq!(again, state);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn structured_hostile_links(pairs in prop::collection::vec(pair(), 0..12), hash in any::<bool>()) {
        let joined = pairs.join("&");
        check(&if hash { format!("#{joined}") } else { joined });
    }

    #[test]
    fn arbitrary_strings(s in any::<String>()) {
        check(&s);
    }
}

#[test]
fn a_100_kb_link() {
    let big = format!("#lab=perceptron&gate=xor&lr={}&{}", "9".repeat(100_000), "x=1&".repeat(20_000));
    let (state, notices) = parse_hash(&big);
    assert_eq!(state.params.shown("gate"), "xor");
    assert_eq!(state.params.shown("lr"), "0.1");
    assert!(!notices.is_empty() && notices.len() <= MAX_NOTICES);
}
