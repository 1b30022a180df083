//! What a model trained on, kept in its file: a fingerprint of its training
//! questions, so that a test set can leave them out and anyone's set can be
//! checked against them (`reasonlab eval` prints the overlap).
//!
//! A question is first reduced to a key: `a+b` and `b+a` (and `a*b`, `b*a`)
//! are one question, since a model that learned one has been told the
//! other's answer. Each key is hashed to 32 bits. Two different keys share a
//! hash with probability 2^-32, so against 100,000 trained questions a fresh
//! one is wrongly counted as seen about once in 43,000: rare enough for a
//! share, and it errs towards leaving a question out of a test set.
//!
//! In the file: the sorted hashes as gaps, Rice-coded (log2(2^32 / n) + 2
//! bits a question: 2.1 bytes at 200,000, 2.8 at 3,000), in base64, under
//! the metadata key `trained_on`.

use super::Problem;
use std::collections::{BTreeMap, BTreeSet};

/// The metadata key of a model's fingerprint.
pub const META: &str = "trained_on";
/// What the fingerprint's text starts with: the coding, for a later change.
const TAG: &str = "rice1";

/// A question as the fingerprint counts it: the operands of `+` and `*`
/// in order, so that a sum and its swapped twin are one question.
pub fn key(question: &str) -> String {
    for op in ['+', '*'] {
        if let Some((a, b)) = question.split_once(op) {
            let number = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
            if number(a) && number(b) {
                // Numerically: a shorter number (no leading zeros here) is smaller.
                let (lo, hi) = if (a.len(), a) <= (b.len(), b) { (a, b) } else { (b, a) };
                return format!("{lo}{op}{hi}");
            }
        }
    }
    question.to_string()
}

/// 32 bits of a key: FNV-1a over its bytes, then a mixer (FNV's low bits
/// alone are weak), written out so that the files never depend on a
/// library's hash.
fn hash(key: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 32) as u32
}

/// The questions a model trained on, as hashes of their keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    hashes: BTreeSet<u32>,
}

/// What a test set leaves out: the exact questions of a set being made
/// (training rows against each other), or a model's fingerprint.
pub trait Excludes {
    fn excludes(&self, question: &str) -> bool;
}

impl Excludes for BTreeSet<String> {
    fn excludes(&self, question: &str) -> bool {
        self.contains(question)
    }
}

impl Excludes for Seen {
    fn excludes(&self, question: &str) -> bool {
        self.contains(question)
    }
}

impl Seen {
    pub fn of(problems: &[Problem]) -> Self {
        let mut seen = Seen::default();
        seen.add_all(problems);
        seen
    }

    pub fn add(&mut self, question: &str) {
        self.hashes.insert(hash(&key(question)));
    }

    pub fn add_all(&mut self, problems: &[Problem]) {
        self.hashes.extend(problems.iter().map(|p| hash(&key(&p.question))));
    }

    pub fn extend(&mut self, other: &Seen) {
        self.hashes.extend(other.hashes.iter().copied());
    }

    pub fn contains(&self, question: &str) -> bool {
        self.hashes.contains(&hash(&key(question)))
    }

    /// Distinct questions (keys) in it.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// How many of `problems` it holds.
    pub fn count_in(&self, problems: &[Problem]) -> usize {
        problems.iter().filter(|p| self.contains(&p.question)).count()
    }

    /// The text kept in a model's file: `rice1:<k>:<count>:<base64>`.
    pub fn encode(&self) -> String {
        let n = self.hashes.len() as u64;
        // The Rice parameter from the mean gap between sorted hashes.
        let mean = (1u64 << 32) / n.max(1);
        let k = (63 - mean.max(1).leading_zeros()).min(31);
        let mut bits = Bits::default();
        let mut last = 0u64;
        for &h in &self.hashes {
            let gap = h as u64 - last;
            last = h as u64;
            for _ in 0..gap >> k {
                bits.push(true);
            }
            bits.push(false);
            for i in (0..k).rev() {
                bits.push(gap >> i & 1 == 1);
            }
        }
        format!("{TAG}:{k}:{n}:{}", crate::base64::encode(&bits.bytes))
    }

    /// Reads `encode`'s text; says what is wrong with a damaged one.
    pub fn decode(text: &str) -> Result<Self, String> {
        let mut hashes = BTreeSet::new();
        walk(text, |h| {
            hashes.insert(h);
        })?;
        Ok(Seen { hashes })
    }

    /// How many distinct questions `encode`'s text holds, after the checks
    /// of `decode` but without building the set: a page describing a file
    /// needs only the count, and a dense record takes many times its size
    /// as a set.
    pub fn count(text: &str) -> Result<usize, String> {
        let (mut n, mut last) = (0, None);
        walk(text, |h| {
            n += usize::from(last != Some(h));
            last = Some(h);
        })?;
        Ok(n)
    }

    /// A model's fingerprint from its file's metadata: `None` for a file
    /// made before models kept one.
    pub fn from_meta(meta: &BTreeMap<String, String>) -> Option<Result<Self, String>> {
        meta.get(META).map(|text| Self::decode(text))
    }
}

/// Each hash of `encode`'s text in turn (sorted, a repeat where a gap is 0).
fn walk(text: &str, mut each: impl FnMut(u32)) -> Result<(), String> {
    let bad = |why: &str| format!("the file's record of its training questions is damaged ({why})");
    let mut fields = text.splitn(4, ':');
    if fields.next() != Some(TAG) {
        return Err(bad("unknown coding"));
    }
    let k: u32 = fields.next().and_then(|f| f.parse().ok()).filter(|k| *k < 32).ok_or_else(|| bad("its parameter"))?;
    let n: usize = fields.next().and_then(|f| f.parse().ok()).ok_or_else(|| bad("its count"))?;
    let bytes = crate::base64::decode(fields.next().ok_or_else(|| bad("no data"))?).ok_or_else(|| bad("not base64"))?;
    // Each hash takes at least k + 1 bits: a count past that is a lie.
    if n > bytes.len() * 8 / (k as usize + 1) {
        return Err(bad("its count"));
    }
    let mut read = BitReader { bytes: &bytes, at: 0 };
    let mut last = 0u64;
    for _ in 0..n {
        let mut high = 0u64;
        while read.next().ok_or_else(|| bad("truncated"))? {
            high += 1;
            if high > 1 << (32 - k) {
                return Err(bad("a gap past 32 bits"));
            }
        }
        let mut low = 0u64;
        for _ in 0..k {
            low = low << 1 | read.next().ok_or_else(|| bad("truncated"))? as u64;
        }
        last += high << k | low;
        each(u32::try_from(last).map_err(|_| bad("a hash past 32 bits"))?);
    }
    Ok(())
}

#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, bit: bool) {
        if self.len % 8 == 0 {
            self.bytes.push(0);
        }
        if bit {
            *self.bytes.last_mut().expect("pushed above") |= 0x80 >> (self.len % 8);
        }
        self.len += 1;
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl BitReader<'_> {
    fn next(&mut self) -> Option<bool> {
        let byte = self.bytes.get(self.at / 8)?;
        let bit = byte & (0x80 >> (self.at % 8)) != 0;
        self.at += 1;
        Some(bit)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{generate, Spec};
    use super::*;

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
}
