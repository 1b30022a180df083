//! Synthetic sequence tasks for week 2, seeded.
//!
//! - Recall (Days 10 and 14): a sequence of noise symbols hides one key symbol
//!   D steps before the final `?`; the answer at `?` is that key. Nothing but
//!   memory over D steps solves it, so accuracy against D shows how far back a
//!   model can reach.
//! - Letter tasks (Days 11–13): a short string of letters, mapped position by
//!   position: reversed, or reversed and shifted, so that attention has to find
//!   the right earlier or later position.
//! - The lag probe (Day 20): random digits, each position's answer the digit
//!   a fixed number of places back, so that only a model that knows relative
//!   position can copy it, at the training length and at twice it.

use crate::rng::Rng;

/// Key symbols A–H, noise symbols 0–7, and the query mark.
pub const KEYS: usize = 8;
pub const NOISE: usize = 8;
pub const QUERY: usize = KEYS + NOISE;
pub const RECALL_VOCAB: usize = QUERY + 1;

/// How a recall token prints.
pub fn recall_symbol(token: usize) -> char {
    match token {
        t if t < KEYS => (b'A' + t as u8) as char,
        t if t < QUERY => (b'0' + (t - KEYS) as u8) as char,
        _ => '?',
    }
}

/// A batch of recall sequences of `len` tokens. The key sits `distance` steps
/// before the query (the last token), or a random 1..len−1 steps when `None`.
/// Returns tokens [B·len] row-major and the targets [B].
pub fn recall_batch(rng: &mut Rng, batch: usize, len: usize, distance: Option<usize>) -> (Vec<i64>, Vec<i64>) {
    assert!(len >= 2, "a recall sequence needs a key and a query");
    let mut tokens = Vec::with_capacity(batch * len);
    let mut targets = Vec::with_capacity(batch);
    for _ in 0..batch {
        let d = distance.unwrap_or_else(|| 1 + rng.below(len as u64 - 1) as usize).clamp(1, len - 1);
        let key = rng.below(KEYS as u64) as i64;
        let at = len - 1 - d;
        for i in 0..len {
            let t = if i == len - 1 {
                QUERY as i64
            } else if i == at {
                key
            } else {
                (KEYS as u64 + rng.below(NOISE as u64)) as i64
            };
            tokens.push(t);
        }
        targets.push(key);
    }
    (tokens, targets)
}

/// Letters a–z and `_` (a space, or padding).
pub const LETTERS: usize = 27;

/// How a letter token prints.
pub fn letter(token: usize) -> char {
    if token < 26 { (b'a' + token as u8) as char } else { '_' }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterTask {
    /// y_i = x_{T−1−i}: the string backwards.
    Reverse,
    /// Two answers per position: the reversed letter and the letter before it
    /// (x_{i−1}, wrapping round), so that different heads have different jobs.
    ReverseAndPrevious,
}

impl LetterTask {
    pub fn parse(s: &str) -> Self {
        if s == "reverse+previous" { Self::ReverseAndPrevious } else { Self::Reverse }
    }

    /// Answers per position.
    pub fn outputs(self) -> usize {
        match self {
            Self::Reverse => 1,
            Self::ReverseAndPrevious => 2,
        }
    }

    /// The targets for one sequence, answer by answer: [outputs][T].
    pub fn targets(self, x: &[i64]) -> Vec<Vec<i64>> {
        let t = x.len();
        let reversed = (0..t).map(|i| x[t - 1 - i]).collect();
        match self {
            Self::Reverse => vec![reversed],
            Self::ReverseAndPrevious => vec![reversed, (0..t).map(|i| x[(i + t - 1) % t]).collect()],
        }
    }
}

/// A batch of random letter strings and their targets. Tokens [B·T]; targets
/// [B·T·outputs], ordered (row, position, answer) to match logits [B, T, O·V]
/// reshaped to [B·T·O, V].
pub fn letter_batch(rng: &mut Rng, batch: usize, len: usize, task: LetterTask) -> (Vec<i64>, Vec<i64>) {
    let mut tokens = Vec::with_capacity(batch * len);
    let mut targets = Vec::with_capacity(batch * len * task.outputs());
    for _ in 0..batch {
        let x: Vec<i64> = (0..len).map(|_| rng.below(LETTERS as u64) as i64).collect();
        let ys = task.targets(&x);
        for i in 0..len {
            targets.extend(ys.iter().map(|y| y[i]));
        }
        tokens.extend(x);
    }
    (tokens, targets)
}

/// The user's text as exactly `len` letter tokens: lower-cased, spaces as `_`,
/// padded with `_` or cut. The message says what was changed, if anything.
pub fn encode_letters(text: &str, len: usize) -> (Vec<i64>, Option<String>) {
    let mut dropped = Vec::new();
    let mut tokens: Vec<i64> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' => tokens.push((c as u8 - b'a') as i64),
            ' ' | '_' => tokens.push(26),
            other => {
                if !dropped.contains(&other) {
                    dropped.push(other);
                }
            }
        }
    }
    let mut notes = Vec::new();
    if !dropped.is_empty() {
        let list: String = dropped.iter().take(8).collect();
        notes.push(format!("“{list}” not in the vocabulary (letters a–z and space), left out"));
    }
    if tokens.len() > len {
        notes.push(format!("cut to the first {len} letters the model reads"));
        tokens.truncate(len);
    } else if tokens.len() < len {
        if tokens.is_empty() {
            notes.push("no letters given".into());
        }
        notes.push(format!("padded with _ to {len}"));
        tokens.resize(len, 26);
    }
    (tokens, (!notes.is_empty()).then(|| format!("Your text: {}.", notes.join("; "))))
}

/// Day 20's probe: `rows` rows of `len` tokens drawn from `digits`; the
/// target at position i is the token `lag` places back, or `blank` for the
/// first `lag` positions, which have none. Copying needs relative position;
/// the blanks need to know where the row begins. Returns tokens and targets,
/// [rows·len] each, row-major.
pub fn lag_probe(rng: &mut Rng, rows: usize, len: usize, lag: usize, digits: &[i64], blank: i64) -> (Vec<i64>, Vec<i64>) {
    let mut x = Vec::with_capacity(rows * len);
    let mut y = Vec::with_capacity(rows * len);
    for _ in 0..rows {
        let row: Vec<i64> = (0..len).map(|_| digits[rng.below(digits.len() as u64) as usize]).collect();
        y.extend((0..len).map(|i| if i < lag { blank } else { row[i - lag] }));
        x.extend(row);
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_hides_one_key_at_the_distance_asked() {
        let mut rng = Rng::new(1);
        let (x, y) = recall_batch(&mut rng, 50, 12, Some(7));
        for (row, key) in x.chunks(12).zip(&y) {
            assert_eq!(row[11], QUERY as i64);
            let keys: Vec<usize> = row.iter().enumerate().filter(|(_, t)| (**t as usize) < KEYS).map(|(i, _)| i).collect();
            assert_eq!(keys, vec![11 - 7]);
            assert_eq!(row[4], *key);
        }
        let (x, _) = recall_batch(&mut rng, 200, 12, None);
        let distances: Vec<usize> = x.chunks(12).map(|r| 11 - r.iter().position(|t| (*t as usize) < KEYS).unwrap()).collect();
        assert!(distances.iter().all(|d| (1..=11).contains(d)));
        assert!(distances.contains(&1) && distances.contains(&11));
    }

    #[test]
    fn letter_targets_line_up_with_positions() {
        let x = [0i64, 1, 2, 3];
        assert_eq!(LetterTask::Reverse.targets(&x), vec![vec![3, 2, 1, 0]]);
        assert_eq!(LetterTask::ReverseAndPrevious.targets(&x)[1], vec![3, 0, 1, 2]);
        let mut rng = Rng::new(2);
        let (t, y) = letter_batch(&mut rng, 3, 4, LetterTask::ReverseAndPrevious);
        assert_eq!((t.len(), y.len()), (12, 24));
        // Row 0, position 1: answer 0 is x[2], answer 1 is x[0].
        assert_eq!((y[2], y[3]), (t[2], t[0]));
    }

    #[test]
    fn user_text_is_cleaned_padded_and_cut() {
        assert_eq!(encode_letters("Hi!", 4), (vec![7, 8, 26, 26], Some("Your text: “!” not in the vocabulary (letters a–z and space), left out; padded with _ to 4.".into())));
        assert_eq!(encode_letters("abcdef", 4).0, vec![0, 1, 2, 3]);
        assert_eq!(encode_letters("a b", 3), (vec![0, 26, 1], None));
        assert_eq!(encode_letters("", 2).0, vec![26, 26]);
        assert_eq!(letter(0), 'a');
        assert_eq!(recall_symbol(QUERY), '?');
    }

    #[test]
    fn the_lag_probe_answers_with_the_digit_lag_places_back() {
        let digits: Vec<i64> = (10..20).collect();
        let (x, y) = lag_probe(&mut Rng::new(3), 4, 12, 3, &digits, 99);
        assert_eq!((x.len(), y.len()), (48, 48));
        for (row_x, row_y) in x.chunks(12).zip(y.chunks(12)) {
            assert_eq!(&row_y[..3], &[99, 99, 99]);
            assert_eq!(&row_y[3..], &row_x[..9]);
            assert!(row_x.iter().all(|d| digits.contains(d)));
        }
        assert_ne!(x[..12], x[12..24], "rows differ");
    }
}
