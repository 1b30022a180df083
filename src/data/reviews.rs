//! Rotten Tomatoes review snippets (Pang & Lee): fresh (1) or rotten (0), split
//! into training and test sets by a seeded shuffle.

use super::text::{words, Vocab};
use crate::rng::Rng;

pub const FILE: &str = "sentiment/rt_snippets.tsv";

#[derive(Clone, Debug)]
pub struct Review {
    pub words: Vec<String>,
    pub fresh: bool,
}

/// Parses the TSV (header `label\ttext\tmovie_name`); bad lines are an error naming the file.
pub fn parse(bytes: &[u8]) -> Result<Vec<Review>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| format!("the data file data/{FILE} is not UTF-8 text"))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let fresh = match cols.next() {
            Some("1") => true,
            Some("0") => false,
            _ => return Err(format!("the data file data/{FILE} is corrupt at line {}: no 0/1 label", n + 1)),
        };
        let snippet = cols.next().ok_or_else(|| format!("the data file data/{FILE} is corrupt at line {}: no text", n + 1))?;
        out.push(Review { words: words(snippet), fresh });
    }
    if out.len() < 100 {
        return Err(format!("the data file data/{FILE} holds only {} reviews", out.len()));
    }
    Ok(out)
}

/// A seeded split: `test_share` of the reviews held out.
pub fn split(mut reviews: Vec<Review>, test_share: f64, seed: u64) -> (Vec<Review>, Vec<Review>) {
    let mut rng = Rng::new(seed ^ 0x5E47);
    for i in (1..reviews.len()).rev() {
        reviews.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let test = reviews.split_off(reviews.len() - (reviews.len() as f64 * test_share).round() as usize);
    (reviews, test)
}

/// The vocabulary of the training reviews: the `max_words` most frequent words
/// seen at least twice.
pub fn vocab(train: &[Review], max_words: usize) -> Vocab {
    let tokens: Vec<String> = train.iter().flat_map(|r| r.words.iter().cloned()).collect();
    Vocab::build(&tokens, 2).truncated(max_words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labels_and_rejects_corrupt_lines() {
        let body = format!("label\ttext\tmovie\n{}", "1\tA fine film.\tm\n0\tDull.\tm\n".repeat(60));
        let r = parse(body.as_bytes()).unwrap();
        assert_eq!(r.len(), 120);
        assert!(r[0].fresh && !r[1].fresh);
        assert_eq!(r[0].words, vec!["a", "fine", "film"]);
        assert!(parse(b"label\ttext\nx\thi\n").unwrap_err().contains("line 2"));
        assert!(parse(b"label\ttext\n1\thi\n").unwrap_err().contains("only 1"));
    }

    #[test]
    fn the_split_is_seeded_and_disjoint_in_size() {
        let reviews: Vec<Review> = (0..1000).map(|i| Review { words: vec![format!("w{i}")], fresh: i % 2 == 0 }).collect();
        let (train, test) = split(reviews.clone(), 0.2, 1);
        assert_eq!((train.len(), test.len()), (800, 200));
        assert_eq!(split(reviews, 0.2, 1).1[0].words, test[0].words);
    }
}
