//! Characters as tokens, for the char-level RNN and LSTM: a vocabulary of the
//! characters a text uses, and seeded batches of windows for truncated BPTT.

use crate::rng::Rng;

/// The most text a lab takes; longer pasted text is cut, and the page says so.
pub const MAX_CHARS: usize = 2_000_000;

#[derive(Clone, Debug)]
pub struct CharVocab {
    pub chars: Vec<char>,
}

impl CharVocab {
    /// Every distinct character of `text`, sorted.
    pub fn of(text: &str) -> Self {
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        Self { chars }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Ids of the characters the vocabulary knows; others are skipped (a prompt
    /// typed with a character the corpus never uses still works).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        text.chars().filter_map(|c| self.chars.binary_search(&c).ok().map(|i| i as u32)).collect()
    }

    pub fn decode(&self, ids: &[u32]) -> String {
        ids.iter().filter_map(|&i| self.chars.get(i as usize)).collect()
    }
}

/// A corpus ready to train on: ids, split 90 / 10 into training and validation.
pub struct CharCorpus {
    pub vocab: CharVocab,
    pub train: Vec<u32>,
    pub val: Vec<u32>,
    /// Set when the text was longer than MAX_CHARS and was cut.
    pub cut_from: Option<usize>,
}

impl CharCorpus {
    /// Checks the text is worth learning from: at least two distinct characters
    /// and enough of them for one window of `seq` plus validation.
    pub fn new(text: &str, seq: usize) -> Result<Self, String> {
        let total = text.chars().count();
        let text: String = text.chars().take(MAX_CHARS).collect();
        let vocab = CharVocab::of(&text);
        if vocab.len() < 2 {
            return Err(format!("The text has {} distinct character{}: a model needs at least two to tell apart.", vocab.len(), if vocab.len() == 1 { "" } else { "s" }));
        }
        let ids = vocab.encode(&text);
        let need = 10 * (seq + 1);
        if ids.len() < need {
            return Err(format!("The text is {} characters long; with sequences of {seq} it needs at least {need}.", ids.len()));
        }
        let split = ids.len() * 9 / 10;
        Ok(Self { vocab, train: ids[..split].to_vec(), val: ids[split..].to_vec(), cut_from: (total > MAX_CHARS).then_some(total) })
    }
}

/// `batch` random windows of `seq + 1` ids from `ids`: inputs are the first
/// `seq`, targets the last `seq` (the next character at each position).
pub fn windows(ids: &[u32], batch: usize, seq: usize, rng: &mut Rng) -> (Vec<i64>, Vec<i64>) {
    let (mut x, mut y) = (Vec::with_capacity(batch * seq), Vec::with_capacity(batch * seq));
    for _ in 0..batch {
        let start = rng.below((ids.len() - seq - 1) as u64 + 1) as usize;
        x.extend(ids[start..start + seq].iter().map(|&i| i as i64));
        y.extend(ids[start + 1..start + seq + 1].iter().map(|&i| i as i64));
    }
    (x, y)
}

/// Hides characters of `rows` windows of `seq` ids for a fill-in task (BERT's
/// masked language model): each position is replaced by `mask_id` with
/// probability `rate`, and every window gets at least one. Returns the inputs,
/// the flat positions that were masked and the characters they hid.
pub fn mask_chars(ids: &[i64], seq: usize, rate: f64, mask_id: i64, rng: &mut Rng) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
    let (mut x, mut at, mut y) = (ids.to_vec(), Vec::new(), Vec::new());
    for (r, row) in x.chunks_mut(seq).enumerate() {
        let mut hidden: Vec<usize> = (0..row.len()).filter(|_| (rng.uniform() as f64) < rate).collect();
        if hidden.is_empty() {
            hidden.push(rng.below(row.len() as u64) as usize);
        }
        for i in hidden {
            at.push((r * seq + i) as i64);
            y.push(row[i]);
            row[i] = mask_id;
        }
    }
    (x, at, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_and_unknown_characters() {
        let v = CharVocab::of("hello world");
        assert_eq!(v.len(), 8);
        assert_eq!(v.decode(&v.encode("hold")), "hold");
        assert_eq!(v.decode(&v.encode("hé!llo")), "hllo", "unknown characters are skipped");
    }

    #[test]
    fn bad_texts_get_messages() {
        assert!(CharCorpus::new("", 16).err().unwrap().contains("0 distinct characters"));
        assert!(CharCorpus::new("a", 16).err().unwrap().contains("1 distinct character:"));
        assert!(CharCorpus::new("abab", 16).err().unwrap().contains("at least 170"));
        let c = CharCorpus::new(&"to be or not ".repeat(100), 16).unwrap();
        assert_eq!((c.train.len(), c.val.len()), (1170, 130));
        assert!(c.cut_from.is_none());
    }

    #[test]
    fn masking_hides_a_share_of_each_window_and_remembers_what() {
        let ids: Vec<i64> = (0..64 * 32).map(|i| i % 20).collect();
        let (x, at, y) = mask_chars(&ids, 32, 0.25, 99, &mut Rng::new(4));
        assert_eq!((x.len(), at.len()), (ids.len(), y.len()));
        for (&a, &t) in at.iter().zip(&y) {
            assert_eq!((x[a as usize], ids[a as usize]), (99, t));
        }
        assert_eq!(x.iter().filter(|&&v| v == 99).count(), at.len(), "only masked positions change");
        let share = at.len() as f64 / ids.len() as f64;
        assert!((share - 0.25).abs() < 0.03, "{share}");
        // A tiny rate still hides one character in every window.
        let (_, at, _) = mask_chars(&ids, 32, 1e-9, 99, &mut Rng::new(4));
        let rows: std::collections::BTreeSet<i64> = at.iter().map(|a| a / 32).collect();
        assert_eq!((at.len(), rows.len()), (64, 64));
    }

    #[test]
    fn windows_shift_by_one() {
        let ids: Vec<u32> = (0..100).collect();
        let (x, y) = windows(&ids, 3, 10, &mut Rng::new(1));
        assert_eq!((x.len(), y.len()), (30, 30));
        assert!(x.iter().zip(&y).all(|(a, b)| b - a == 1));
    }
}
