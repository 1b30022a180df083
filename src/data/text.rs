//! Words from text: a tokenizer, a vocabulary with counts, word2vec's
//! subsampling and its noise distribution, and a small seeded toy corpus.

use crate::rng::Rng;
use std::collections::HashMap;

pub const MOBY_DICK: &str = "text/moby_dick.txt";
pub const SHAKESPEARE: &str = "text/shakespeare_8plays.txt";
/// Texts no preset was chosen on (`data/README.md`): the race's held-out texts.
pub const HISTORIES: &str = "text/shakespeare_histories.txt";
pub const COMEDIES: &str = "text/shakespeare_comedies.txt";

/// Lower-case words of letters (and inner apostrophes): "Ahab's" → "ahab's".
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphabetic() || c == '\''))
        .map(|w| w.trim_matches('\'').to_ascii_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words seen at least `min_count` times, most frequent first.
#[derive(Clone, Debug)]
pub struct Vocab {
    pub words: Vec<String>,
    pub counts: Vec<u64>,
    index: HashMap<String, usize>,
}

impl Vocab {
    pub fn build(tokens: &[String], min_count: u64) -> Self {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for t in tokens {
            *counts.entry(t.as_str()).or_default() += 1;
        }
        let mut kept: Vec<(&str, u64)> = counts.into_iter().filter(|(_, c)| *c >= min_count).collect();
        kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let words: Vec<String> = kept.iter().map(|(w, _)| w.to_string()).collect();
        let index = words.iter().enumerate().map(|(i, w)| (w.clone(), i)).collect();
        Self { counts: kept.iter().map(|(_, c)| *c).collect(), words, index }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Only the `n` most frequent words.
    pub fn truncated(mut self, n: usize) -> Self {
        self.words.truncate(n);
        self.counts.truncate(n);
        self.index.retain(|_, i| *i < n);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn id(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// The corpus as ids, rare words dropped, frequent ones thinned out with
    /// word2vec's rule: keep a word of frequency f with probability (√(f/t) + 1)·t/f.
    pub fn encode(&self, tokens: &[String], threshold: f64, rng: &mut Rng) -> Vec<u32> {
        let total: u64 = self.counts.iter().sum();
        let keep: Vec<f64> = self
            .counts
            .iter()
            .map(|&c| {
                let f = c as f64 / total as f64;
                if threshold <= 0.0 { 1.0 } else { (((f / threshold).sqrt() + 1.0) * threshold / f).min(1.0) }
            })
            .collect();
        tokens
            .iter()
            .filter_map(|t| self.id(t))
            .filter(|&id| keep[id] >= 1.0 || (rng.uniform() as f64) < keep[id])
            .map(|id| id as u32)
            .collect()
    }

    /// A table to draw noise words from, in proportion to count^0.75.
    pub fn noise_table(&self, size: usize) -> Vec<u32> {
        let weights: Vec<f64> = self.counts.iter().map(|&c| (c as f64).powf(0.75)).collect();
        let total: f64 = weights.iter().sum();
        let mut table = Vec::with_capacity(size);
        for (id, w) in weights.iter().enumerate() {
            let n = ((w / total) * size as f64).round().max(1.0) as usize;
            table.extend(std::iter::repeat_n(id as u32, n));
        }
        table
    }
}

/// Word groups of the toy corpus: words in one group share their contexts.
pub const TOY_GROUPS: [&[&str]; 5] = [
    &["king", "queen", "prince", "princess"],
    &["man", "woman", "boy", "girl"],
    &["cat", "dog", "horse", "cow"],
    &["bread", "cheese", "apple", "soup"],
    &["city", "village", "town", "farm"],
];

/// A seeded corpus of short sentences built from templates, where each
/// group's words fill the same slots: enough for skip-gram to group them.
pub fn toy_corpus(sentences: usize, seed: u64) -> String {
    const TEMPLATES: [&str; 8] = [
        "the {0} rules the {4} from the castle",
        "a {0} wears a crown and rules",
        "the {1} walks to the {4} and eats {3}",
        "a {1} reads a book in the {4}",
        "the {2} runs in the field and eats grass",
        "a {2} sleeps in the barn on the {4}",
        "we eat {3} for dinner with a glass of water",
        "fresh {3} is sold at the market in the {4}",
    ];
    let mut rng = Rng::new(seed ^ 0x70E);
    let mut out = String::new();
    for _ in 0..sentences {
        let template = TEMPLATES[rng.below(TEMPLATES.len() as u64) as usize];
        let mut s = template.to_string();
        for (g, group) in TOY_GROUPS.iter().enumerate() {
            while let Some(at) = s.find(&format!("{{{g}}}")) {
                let word = group[rng.below(group.len() as u64) as usize];
                s.replace_range(at..at + 3, word);
            }
        }
        out.push_str(&s);
        out.push_str(". ");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercase_letters() {
        assert_eq!(words("Call me Ishmael. Ahab's 'whale'—THE end!"), vec!["call", "me", "ishmael", "ahab's", "whale", "the", "end"]);
        assert!(words("").is_empty() && words("123 -- !!").is_empty());
    }

    #[test]
    fn vocab_counts_and_drops_rare_words() {
        let tokens = words("a a a b b c");
        let v = Vocab::build(&tokens, 2);
        assert_eq!(v.words, vec!["a", "b"]);
        assert_eq!(v.counts, vec![3, 2]);
        assert_eq!(v.id("c"), None);
        let ids = v.encode(&tokens, 0.0, &mut Rng::new(1));
        assert_eq!(ids, vec![0, 0, 0, 1, 1]);
    }

    #[test]
    fn subsampling_thins_frequent_words_only() {
        let mut tokens = vec!["the".to_string(); 10_000];
        tokens.extend((0..100).map(|i| format!("w{i}")));
        let v = Vocab::build(&tokens, 1);
        let ids = v.encode(&tokens, 1e-3, &mut Rng::new(2));
        let the = ids.iter().filter(|&&i| i == 0).count();
        assert!(the < 2_000, "'the' kept {the} times of 10,000");
        assert_eq!(ids.len() - the, 100, "rare words are all kept");
    }

    #[test]
    fn the_noise_table_favours_frequent_words_less_than_linearly() {
        let tokens = words(&"a ".repeat(1000)).into_iter().chain(words(&"b ".repeat(10))).collect::<Vec<_>>();
        let t = Vocab::build(&tokens, 1).noise_table(10_000);
        let share_b = t.iter().filter(|&&i| i == 1).count() as f64 / t.len() as f64;
        assert!(share_b > 0.02 && share_b < 0.05, "{share_b}: 10/1010 linear would be 0.0099, ^0.75 gives 0.031");
    }

    #[test]
    fn the_toy_corpus_is_seeded_and_uses_every_group() {
        let c = toy_corpus(200, 1);
        assert_eq!(c, toy_corpus(200, 1));
        assert!(TOY_GROUPS.iter().flat_map(|g| g.iter()).all(|w| c.contains(w)));
        assert!(!c.contains('{'));
    }
}
