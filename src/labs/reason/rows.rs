//! Training rows for days 23, 24 and 28: one problem a row, as the lab's
//! format writes it, and batches of them as inputs and targets with the
//! positions the loss must skip set to padding.

use super::Format;
use crate::data::chars::CharVocab;
use crate::data::reasoning::{text, tool, Problem, PAD};
use crate::rng::Rng;
use std::ops::Range;

/// A training problem as ids, where its question ends (in characters, with
/// its newline), and the character ranges a calculator wrote.
pub struct Row {
    pub ids: Vec<i64>,
    pub question: usize,
    pub inserted: Vec<Range<usize>>,
}

/// The text a format learns for a problem.
pub fn row_text(format: Format, p: &Problem) -> String {
    match format {
        Format::Tool => tool::text(p).unwrap_or_else(|| text(p, true)),
        _ => text(p, format == Format::Cot),
    }
}

impl Row {
    pub fn new(format: Format, p: &Problem, vocab: &CharVocab) -> Self {
        let text = row_text(format, p);
        let inserted = if format == Format::Tool { tool::results(&text) } else { Vec::new() };
        let ids = vocab.encode(&text).into_iter().map(i64::from).collect();
        Row { ids, question: p.question.chars().count() + 1, inserted }
    }
}

/// Rows `picks` as inputs and targets [B, T], B = `picks.len()`. Targets
/// before the question's end, past the problem's end, and on what the
/// calculator wrote are padding, which the loss skips. T is the longest row's,
/// rounded up to a multiple of 8 and at most `block`: rows of easier problems
/// (`mix`) cost no more than they need.
pub fn batch(rows: &[Row], picks: &[usize], block: usize) -> (Vec<i64>, Vec<i64>, usize) {
    // The last character of a row is input to nothing: it has no target.
    let longest = picks.iter().map(|&r| rows[r].ids.len() - 1).max().unwrap_or(1);
    let t = (longest.div_ceil(8) * 8).clamp(8, block);
    let (mut x, mut y) = (vec![PAD as i64; picks.len() * t], vec![PAD as i64; picks.len() * t]);
    for (b, &r) in picks.iter().enumerate() {
        let Row { ids, question, inserted } = &rows[r];
        for i in 0..ids.len().min(t) {
            x[b * t + i] = ids[i];
            // Target i is character i + 1.
            let scored = i + 1 < ids.len() && i + 1 >= *question && !inserted.iter().any(|s| s.contains(&(i + 1)));
            if scored {
                y[b * t + i] = ids[i + 1];
            }
        }
    }
    (x, y, t)
}

/// The rows of the batch of step `step`: `n` drawn at random from one of
/// `parts`, the parts taking turns step by step. One part per difficulty
/// keeps a batch of easy problems short (`batch` pads to its longest row).
pub fn picks(parts: &[Range<usize>], step: usize, n: usize, rng: &mut Rng) -> Vec<usize> {
    let part = &parts[step % parts.len()];
    (0..n).map(|_| part.start + rng.below(part.len() as u64) as usize).collect()
}

/// Where each token of `batch(rows, picks, t)` sits for RoPE, [B·T]: one
/// place on per token, and after each token in `after` (the steps' ends) a
/// further 0 to `gaps` places, drawn afresh for every row; only `share`
/// percent of the rows are gapped, the rest run on one by one. Training on these,
/// a model cannot tell how many steps a chain has taken from how far it is
/// from the question, so it must find where a chain ends from what it says.
pub fn gapped_positions(rows: &[Row], picks: &[usize], t: usize, gaps: usize, share: u64, after: &[i64], rng: &mut Rng) -> Vec<f32> {
    let mut out = Vec::with_capacity(picks.len() * t);
    for &r in picks {
        let ids = &rows[r].ids;
        let gaps = if rng.below(100) < share { gaps } else { 0 };
        let mut at = 0usize;
        for i in 0..t {
            out.push(at as f32);
            at += 1;
            if ids.get(i).is_some_and(|id| after.contains(id)) {
                at += rng.below(gaps as u64 + 1) as usize;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::reasoning::vocab;

    fn problem(question: &str, chain: &str, answer: &str) -> Problem {
        Problem { question: question.into(), chain: Some(chain.into()), answer: answer.into(), task: "word".into(), difficulty: "2".into(), template: None }
    }

    /// The characters whose prediction the loss scores, as a string.
    fn scored(format: Format, p: &Problem) -> String {
        let v = vocab();
        let rows = [Row::new(format, p, &v)];
        let (_, y, _) = batch(&rows, &[0], 512);
        y.iter().filter(|&&id| id != PAD as i64).map(|&id| v.chars[id as usize]).collect()
    }

    #[test]
    fn the_loss_skips_the_question_and_what_the_calculator_wrote() {
        let p = problem("Ann has 15000 pens. Ann buys 3000 more. Ann gives 2000 away. How many pens does Ann have?", "15000+3000=18000;18000-2000=16000", "16000");
        assert_eq!(scored(Format::Plain, &p), "=16000\n");
        assert_eq!(scored(Format::Cot, &p), "15000+3000=18000;18000-2000=16000\n=16000\n");
        // Each result is the calculator's; the `;` or newline after it is the model's.
        assert_eq!(scored(Format::Tool, &p), "<calc>15000+3000</calc>;<calc>18000-2000</calc>\n=16000\n");
    }

    #[test]
    fn batches_by_difficulty_take_turns_and_stay_short() {
        let v = vocab();
        let rows: Vec<Row> = (0..40).map(|i| if i < 20 { Row::new(Format::Cot, &problem("Q", "1+1=2", "2"), &v) } else { Row::new(Format::Cot, &problem("Q", "1+1=2;2+2=4;4+4=8", "8"), &v) }).collect();
        let parts = [0..20, 20..40];
        let mut rng = Rng::new(3);
        for step in 0..6 {
            let p = picks(&parts, step, 16, &mut rng);
            assert!(p.iter().all(|r| parts[step % 2].contains(r)), "step {step}: {p:?}");
            // Step 0's batch holds short rows only, and is as short as they are.
            assert_eq!(batch(&rows, &p, 512).2, if step % 2 == 0 { 16 } else { 24 });
        }
        // One part is the whole set, drawn as before.
        let (mut a, mut b) = (Rng::new(9), Rng::new(9));
        assert_eq!(picks(&[0..40], 5, 8, &mut a), (0..8).map(|_| b.below(40) as usize).collect::<Vec<_>>());
    }

    #[test]
    fn a_batch_is_as_long_as_its_longest_row_rounded_to_eight() {
        let v = vocab();
        let short = Row::new(Format::Cot, &problem("Q", "1+1=2", "2"), &v);
        let long = Row::new(Format::Cot, &problem("Q", "1+1=2;2+2=4;4+4=8", "8"), &v);
        let rows = [short, long];
        assert_eq!(batch(&rows, &[0, 0], 512).2, 16, "{} characters", rows[0].ids.len());
        let (x, _, t) = batch(&rows, &[0, 1], 512);
        assert_eq!(t, 24);
        assert_eq!(x.len(), 48);
        assert_eq!(batch(&rows, &[1], 16).2, 16, "never past the context");
    }

    #[test]
    fn gaps_fall_only_after_a_steps_end_and_rise() {
        let v = vocab();
        let rows = [Row::new(Format::Cot, &problem("AB;BC|A?", "AB;BC", "C"), &v)];
        let after = v.encode(";|\n").into_iter().map(i64::from).collect::<Vec<_>>();
        let (x, _, t) = batch(&rows, &[0, 0], 512);
        let mut rng = Rng::new(2);
        let none = gapped_positions(&rows, &[0, 0], t, 0, 100, &after, &mut rng);
        assert_eq!(none, (0..2).flat_map(|_| (0..t).map(|i| i as f32)).collect::<Vec<_>>());
        assert_eq!(gapped_positions(&rows, &[0, 0], t, 3, 0, &after, &mut rng), none, "a share of 0 gaps no row");
        let mut seen_gap = false;
        for _ in 0..20 {
            let p = gapped_positions(&rows, &[0, 0], t, 3, 100, &after, &mut rng);
            for (row, pos) in p.chunks(t).enumerate() {
                for i in 1..t {
                    let step = pos[i] - pos[i - 1];
                    let ends = after.contains(&x[row * t + i - 1]);
                    assert!(step == 1.0 || (ends && (2.0..=4.0).contains(&step)), "step {step} after {i}");
                    seen_gap |= step > 1.0;
                }
            }
        }
        assert!(seen_gap);
    }
}
