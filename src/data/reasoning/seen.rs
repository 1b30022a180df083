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
use rice::{Bits, Reader, Rice};
use std::collections::{BTreeMap, BTreeSet};

mod rice;

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
#[derive(Clone, Default)]
pub struct Seen {
    /// Records from files, Rice-coded as a file has them and never unpacked
    /// (`rice.rs`), so that each costs its bytes whatever its density. Kept
    /// apart, not recoded as one: one parameter for a dense record and a
    /// sparse one would code the dense one's hashes in several times the
    /// bits.
    records: Vec<Rice>,
    /// The questions added here, Rice-coded.
    own: Rice,
    /// Those added since, sorted: recoding `own` for each question a lab
    /// adds would be quadratic, so they wait here until they pass an eighth
    /// of it. `records`, `own` and `fresh` share no hash.
    fresh: Vec<u32>,
}

/// The fewest waiting hashes that are folded into `own`.
const FOLD: usize = 4096;

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
        self.insert(hash(&key(question)));
    }

    fn insert(&mut self, h: u32) {
        if !self.in_coded(h) {
            if let Err(i) = self.fresh.binary_search(&h) {
                self.fresh.insert(i, h);
                self.settle();
            }
        }
    }

    pub fn add_all(&mut self, problems: &[Problem]) {
        let mut new: Vec<u32> = problems.iter().map(|p| hash(&key(&p.question))).filter(|&h| !self.in_coded(h)).collect();
        new.append(&mut self.fresh);
        new.sort_unstable();
        new.dedup();
        self.fresh = new;
        self.settle();
    }

    /// Adds another's questions: each of its records (its own questions
    /// among them) becomes one here, less what this holds already, recoded
    /// (never in more bits than it had).
    pub fn extend(&mut self, other: &Seen) {
        for part in other.records.iter().chain([&other.own]) {
            let new = Rice::from_sorted(|| part.iter().filter(|&h| !self.holds(h)));
            if new.distinct > 0 {
                self.records.push(new);
            }
        }
        for &h in &other.fresh {
            self.insert(h);
        }
    }

    fn settle(&mut self) {
        if self.fresh.len() > FOLD.max(self.own.distinct / 8) {
            self.own = Rice::from_sorted(|| merge(self.own.iter(), self.fresh.iter().copied()));
            self.fresh = Vec::new();
        }
    }

    fn in_coded(&self, h: u32) -> bool {
        self.own.contains(h) || self.records.iter().any(|r| r.contains(h))
    }

    /// Its distinct hashes in order.
    fn hashes(&self) -> impl Iterator<Item = u32> + '_ {
        let all: Box<dyn Iterator<Item = u32>> = Box::new(merge(self.own.iter(), self.fresh.iter().copied()));
        self.records.iter().fold(all, |all, r| Box::new(merge(all, r.iter())))
    }

    pub fn contains(&self, question: &str) -> bool {
        self.holds(hash(&key(question)))
    }

    fn holds(&self, h: u32) -> bool {
        self.in_coded(h) || self.fresh.binary_search(&h).is_ok()
    }

    /// Distinct questions (keys) in it.
    pub fn len(&self) -> usize {
        self.records.iter().map(|r| r.distinct).sum::<usize>() + self.own.distinct + self.fresh.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many of `problems` it holds.
    pub fn count_in(&self, problems: &[Problem]) -> usize {
        problems.iter().filter(|p| self.contains(&p.question)).count()
    }

    /// The text kept in a model's file: `rice1:<k>:<count>:<base64>`. Always
    /// recoded with the parameter below, so that a set gives one text however
    /// it was read or made.
    pub fn encode(&self) -> String {
        let n = self.len() as u64;
        // The Rice parameter from the mean gap between sorted hashes.
        let mean = (1u64 << 32) / n.max(1);
        let k = (63 - mean.max(1).leading_zeros()).min(31);
        let mut bits = Bits::default();
        let mut last = 0u64;
        for h in self.hashes() {
            rice::write(&mut bits, h as u64 - last, k);
            last = h as u64;
        }
        format!("{TAG}:{k}:{n}:{}", crate::base64::encode(&bits.bytes))
    }

    /// Reads `encode`'s text; says what is wrong with a damaged one. What it
    /// holds is the text's bytes (3 for 4 characters) and an index of an
    /// eighth of them at most.
    pub fn decode(text: &str) -> Result<Self, String> {
        let (k, n, bytes) = header(text)?;
        let record = Rice::read(k, n, bytes).map_err(bad)?;
        Ok(Seen { records: vec![record], ..Seen::default() })
    }

    /// How many distinct questions `encode`'s text holds, after the checks
    /// of `decode` but without its index: a page describing a file needs
    /// only the count.
    pub fn count(text: &str) -> Result<usize, String> {
        let (k, n, bytes) = header(text)?;
        let mut read = Reader::new(&bytes, k);
        let (mut distinct, mut last) = (0, None);
        for _ in 0..n {
            let h = read.step().map_err(bad)?;
            distinct += usize::from(last.replace(h) != Some(h));
        }
        Ok(distinct)
    }

    /// A model's fingerprint from its file's metadata: `None` for a file
    /// made before models kept one.
    pub fn from_meta(meta: &BTreeMap<String, String>) -> Option<Result<Self, String>> {
        meta.get(META).map(|text| Self::decode(text))
    }
}

impl PartialEq for Seen {
    fn eq(&self, other: &Seen) -> bool {
        self.len() == other.len() && self.hashes().eq(other.hashes())
    }
}

impl Eq for Seen {}

impl std::fmt::Debug for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Seen({} questions: ", self.len())?;
        f.debug_list().entries(self.hashes().take(8)).finish()?;
        write!(f, "{})", if self.len() > 8 { "…" } else { "" })
    }
}

fn bad(why: &str) -> String {
    format!("the file's record of its training questions is damaged ({why})")
}

/// `encode`'s parameter, count and bits, after the checks that need no
/// decoding: a known coding, `k < 32`, and a count the bits can hold.
fn header(text: &str) -> Result<(u32, usize, Vec<u8>), String> {
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
    Ok((k, n, bytes))
}

/// Two sorted runs of hashes as one, each hash once.
fn merge(a: impl Iterator<Item = u32>, b: impl Iterator<Item = u32>) -> impl Iterator<Item = u32> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x < y => a.next(),
        (Some(x), Some(y)) if x > y => b.next(),
        (Some(_), Some(_)) => b.next().and(a.next()),
        (Some(_), None) => a.next(),
        (None, _) => b.next(),
    })
}

#[cfg(test)]
mod tests;
