//! Day 4: word2vec, skip-gram with negative sampling, on a toy corpus or a novel.

use crate::backend::Workload;
use crate::data::text::{MOBY_DICK, SHAKESPEARE};
use crate::figure::{Figure, FigureSpec, Plot, Ranked};
use crate::labs::{LabSpec, Preset, Takes};
use crate::settings::{Kind, Params, Setting};
use serde::{Deserialize, Serialize};

pub static SPEC: LabSpec = LabSpec {
    intro: &[
        "“You shall know a word by the company it keeps” (Firth, 1957). word2vec turns that into a training task: from a word, predict the words around it. Words that appear in the same company end up with similar vectors, and those vectors are the embeddings that every language model since starts from.",
        "Skip-gram with negative sampling makes the task cheap. For each word in the text and each neighbour within the window, the dot product of the word's vector and the neighbour's context vector should be high; for a few random “noise” words drawn in proportion to count^0.75 it should be low. Very frequent words (the, of, and) are thinned out first, since they say little about their neighbours.",
        "Type words in the boxes while it trains: their nearest neighbours by cosine similarity update live, and the analogy box computes a − b + c (king − man + woman) and shows the words closest to the result. On the toy corpus, words that fill the same slot (king, queen, prince…) should come together within a few hundred steps; on Moby Dick, try whale, sea or ahab.",
        "Corpora: Moby Dick (Herman Melville, public domain) and eight Shakespeare plays (public domain), loaded from this site; the toy corpus is generated here from templates.",
    ],
    settings: &[
        Setting { key: "corpus", label: "Corpus", help: "toy: generated sentences with 5 word groups. moby: Moby Dick (208k words). shakespeare: 8 plays.", kind: Kind::Choice(&["toy", "moby", "shakespeare"]), default: "toy" },
        Setting { key: "window", label: "Window", help: "Neighbours on each side that count as context.", kind: Kind::Int { min: 1, max: 10 }, default: "2" },
        Setting { key: "dims", label: "Dimensions", help: "Length of each word vector.", kind: Kind::Int { min: 2, max: 300 }, default: "32" },
        Setting { key: "negatives", label: "Negatives", help: "Noise words per (word, context) pair.", kind: Kind::Int { min: 1, max: 20 }, default: "5" },
        Setting { key: "subsample", label: "Subsampling", help: "Threshold t: a word of frequency f is kept with probability (√(f/t) + 1)·t/f. 0 keeps every word.", kind: Kind::Float { min: 0.0, max: 1.0 }, default: "0.001" },
        Setting { key: "min_count", label: "Minimum count", help: "Words seen fewer times are dropped from the vocabulary.", kind: Kind::Int { min: 1, max: 1000 }, default: "5" },
        Setting { key: "batch", label: "Batch", help: "Centre words per step (each with all its window).", kind: Kind::Int { min: 1, max: 4096 }, default: "128" },
        Setting { key: "lr", label: "Learning rate", help: "Adam's step size.", kind: Kind::Float { min: 1e-5, max: 1.0 }, default: "0.01" },
        Setting { key: "steps", label: "Steps", help: "Optimizer steps.", kind: Kind::Int { min: 1, max: 1_000_000 }, default: "1500" },
        Setting { key: "probe", label: "Neighbours of", help: "Words whose nearest neighbours are shown, separated by commas.", kind: Kind::Words, default: "king, cat, bread" },
        Setting { key: "analogy", label: "Analogy", help: "a - b + c: the words closest to that vector.", kind: Kind::Words, default: "king - man + woman" },
    ],
    presets: &[
        Preset { name: "Toy corpus (fast)", values: &[("corpus", "toy"), ("dims", "32"), ("min_count", "5"), ("steps", "1500"), ("probe", "king, cat, bread"), ("analogy", "king - man + woman")] },
        Preset { name: "Moby Dick", values: &[("corpus", "moby"), ("dims", "64"), ("min_count", "5"), ("batch", "256"), ("steps", "6000"), ("probe", "whale, sea, ahab, boat"), ("analogy", "ahab - captain + mate")] },
        Preset { name: "Shakespeare", values: &[("corpus", "shakespeare"), ("dims", "64"), ("min_count", "5"), ("batch", "256"), ("steps", "6000"), ("probe", "king, love, death"), ("analogy", "king - man + woman")] },
    ],
    workload: Workload::Tiny,
    figures: &[FigureSpec::curve("loss", "Loss per step"), FigureSpec::plot("neighbours", "Nearest neighbours (cosine similarity)")],
    data: files,
    live: &["probe", "analogy"],
    takes: Takes::NOTHING,
    basic: &["corpus", "window", "dims", "steps", "probe", "analogy"],
};

fn files(p: &Params) -> Result<&'static [&'static str], String> {
    Ok(match p.get("corpus")? {
        "moby" => &[MOBY_DICK],
        "shakespeare" => &[SHAKESPEARE],
        _ => &[],
    })
}

/// One query's answer: the closest words with their cosine similarity, or why not.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Neighbours {
    pub query: String,
    pub result: Result<Vec<(String, f32)>, String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Word2vecView {
    pub queries: Vec<Neighbours>,
    pub note: String,
}

impl Word2vecView {
    /// Each query's nearest words as bars of cosine similarity.
    pub fn figures(&self) -> Vec<Figure> {
        let parts: Vec<String> = self
            .queries
            .iter()
            .map(|q| match &q.result {
                Ok(words) => format!("{}: {}", q.query, words.iter().map(|(w, s)| format!("{w} {s:.2}")).collect::<Vec<_>>().join(", ")),
                Err(why) => format!("{}: {why}", q.query),
            })
            .collect();
        let caption = if parts.is_empty() {
            "Type words in “Neighbours of” or an analogy to see their nearest words.".to_string()
        } else {
            format!("Nearest words by cosine similarity — {}.", parts.join("; "))
        };
        let ranked = self.queries.iter().map(|q| Ranked { title: q.query.clone(), items: q.result.clone() }).collect();
        vec![Figure::new("neighbours", Plot::Ranked(ranked), caption)]
    }
}

/// A parsed query: words with signs (+1 or −1). "king, cat" is two queries;
/// "king - man + woman" is one.
pub fn parse_terms(text: &str) -> Vec<(f32, String)> {
    let mut terms = Vec::new();
    let mut sign = 1.0;
    for token in text.replace('+', " + ").replace('-', " - ").split_whitespace() {
        match token {
            "+" => sign = 1.0,
            "-" => sign = -1.0,
            word => {
                terms.push((sign, word.to_string()));
                sign = 1.0;
            }
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analogies_parse_into_signed_terms() {
        assert_eq!(parse_terms("king - man + woman"), vec![(1.0, "king".into()), (-1.0, "man".into()), (1.0, "woman".into())]);
        assert_eq!(parse_terms("a-b"), vec![(1.0, "a".into()), (-1.0, "b".into())]);
        assert!(parse_terms(" - + ").is_empty());
    }
}
