//! Chains that call a calculator (Day 28). Each step a chain would work out
//! itself, `13523-1352=12171`, is written as a call instead:
//! `<calc>13523-1352</calc>12171`. The model writes the call; the runtime
//! evaluates what is between the tags with `calc` and writes the result after
//! them, so those characters are the calculator's, not the model's: training
//! does not score them (`results`), and writing inserts them (`after_call`).
//!
//! Arithmetic is one call for the whole question (`3471*5893`); word
//! problems call once per sentence. Logic chains have nothing to compute.

use super::calc::{self, Refusal};
use super::{word, Problem};
use std::ops::Range;

pub const OPEN: &str = "<calc>";
pub const CLOSE: &str = "</calc>";

/// The tasks a calculator helps with.
pub const TASKS: [&str; 4] = ["mul", "word", "add", "sub"];

/// A problem's chain written with calls; `None` for a task without arithmetic.
pub fn chain(p: &Problem) -> Option<String> {
    match p.task.as_str() {
        "add" | "sub" | "mul" => Some(format!("{OPEN}{}{CLOSE}{}", p.question, p.answer)),
        "word" => {
            let steps = p.chain.as_deref()?.split(';').map(|s| s.split_once('=').map(|(e, r)| format!("{OPEN}{e}{CLOSE}{r}")));
            steps.collect::<Option<Vec<_>>>().map(|s| s.join(";"))
        }
        _ => None,
    }
}

/// A problem as the tool-using model learns it: the question, a newline, the
/// chain with calls, a newline, `=` and the answer, a newline.
pub fn text(p: &Problem) -> Option<String> {
    Some(format!("{}\n{}\n={}\n", p.question, chain(p)?, p.answer))
}

/// The character ranges of `text` that a calculator wrote: from each closing
/// tag to the next `;` or newline.
pub fn results(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<char> = text.chars().collect();
    let close: Vec<char> = CLOSE.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + close.len() <= chars.len() {
        if chars[i..i + close.len()] == close[..] {
            let start = i + close.len();
            let end = chars[start..].iter().position(|c| *c == ';' || *c == '\n').map_or(chars.len(), |n| start + n);
            out.push(start..end);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The character ranges of each call with its result, `<calc>…</calc>123`:
/// what the chain view underlines.
pub fn calls(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<char> = text.chars().collect();
    let open: Vec<char> = OPEN.chars().collect();
    results(text)
        .into_iter()
        .filter_map(|r| {
            let start = (0..r.start.saturating_sub(open.len() - 1)).rev().find(|&i| chars[i..i + open.len()] == open[..])?;
            Some(start..r.end)
        })
        .collect()
}

/// When `written` has just closed a call: what the calculator writes after
/// it, its result or the refusal. `None` while no call has just closed.
pub fn after_call(written: &str) -> Option<Result<String, Refusal>> {
    let before = written.strip_suffix(CLOSE)?;
    let expr = &before[before.rfind(OPEN)? + OPEN.len()..];
    Some(calc::evaluate(expr).map(|v| v.to_string()))
}

/// What the runtime writes after a refused call: one character, so that the
/// chain goes on and the answer is scored (almost surely wrong).
pub const REFUSED: &str = "?";

/// A chain step with a call as the plain chain writes it: `expr=result`.
fn plain_step(step: &str) -> Option<String> {
    let (call, result) = step.strip_prefix(OPEN)?.split_once(CLOSE)?;
    Some(format!("{call}={result}"))
}

/// Whether step `i` of a chain with calls is right: a word problem's call is
/// the step its sentence calls for, an arithmetic call is the question, and
/// the result is the calculator's.
pub fn check_step(task: &str, question: &str, steps: &[&str], i: usize) -> bool {
    let Some(step) = plain_step(steps[i]) else { return false };
    match task {
        "word" => word::solve(question).is_some_and(|want| want.get(i) == Some(&step)),
        _ => i == 0 && calc::evaluate(question).is_ok_and(|v| step == format!("{question}={v}")),
    }
}

/// Each step of a chain with calls, marked right or wrong.
pub fn check_chain(task: &str, question: &str, chain: &str) -> Vec<bool> {
    let steps: Vec<&str> = chain.split(';').collect();
    (0..steps.len()).map(|i| check_step(task, question, &steps, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::reasoning::{generate, Spec};
    use std::collections::BTreeSet;

    #[test]
    fn chains_call_the_calculator_and_its_results_are_found() {
        for (task, level) in [("mul", 4), ("word", 3), ("add", 3), ("sub", 2)] {
            let spec = Spec { level_b: level, big: true, ..Spec::new(task, level).unwrap() };
            for p in generate(&spec, 100, 4, &BTreeSet::new()) {
                let text = text(&p).unwrap();
                let chain = chain(&p).unwrap();
                assert!(check_chain(task, &p.question, &chain).iter().all(|ok| *ok), "{task}: {text}");
                // Every result the calculator would write is where `results` says,
                // and writing up to each closing tag asks for exactly it.
                let chars: Vec<char> = text.chars().collect();
                let found = results(&text);
                assert_eq!(found.len(), chain.matches(CLOSE).count(), "{text}");
                for r in found {
                    let before: String = chars[..r.start].iter().collect();
                    let result: String = chars[r.clone()].iter().collect();
                    assert_eq!(after_call(&before), Some(Ok(result.clone())), "{text}");
                    assert!(result.chars().all(|c| c.is_ascii_digit()), "{result}");
                }
            }
        }
        assert!(chain(&generate(&Spec::new("logic", 2).unwrap(), 1, 1, &BTreeSet::new())[0]).is_none());
    }

    #[test]
    fn calls_are_read_only_when_closed_and_refusals_come_back() {
        assert_eq!(after_call("12*3\n<calc>12*3</calc>"), Some(Ok("36".into())));
        assert_eq!(after_call("12*3\n<calc>12*3</cal"), None);
        assert_eq!(after_call("no call</calc>"), None);
        assert!(matches!(after_call("<calc>2**99</calc>"), Some(Err(_))));
        assert!(matches!(after_call("<calc>x+1</calc>"), Some(Err(_))));
        // The last call is the one evaluated.
        assert_eq!(after_call("<calc>1+1</calc>2;<calc>2*5</calc>"), Some(Ok("10".into())));
    }

    #[test]
    fn a_wrong_call_or_result_is_a_wrong_step() {
        let q = "Ann has 15000 pens. Ann buys 3000 more. Ann gives 2000 away. How many pens does Ann have?";
        let good = ["<calc>15000+3000</calc>18000", "<calc>18000-2000</calc>16000"];
        assert!(check_step("word", q, &good, 1));
        assert!(!check_step("word", q, &["<calc>15000+3000</calc>18000", "<calc>18000+2000</calc>20000"], 1));
        assert!(!check_step("word", q, &["15000+3000=18000", "18000-2000=16000"], 0), "a step without a call");
        assert!(check_step("mul", "1234*5678", &["<calc>1234*5678</calc>7006652"], 0));
        assert!(!check_step("mul", "1234*5678", &["<calc>1234*5679</calc>7007886"], 0));
        let text = "a\n<calc>1+2</calc>3;<calc>3*4</calc>12\n=12\n";
        assert_eq!(results(text), vec![18..19, 36..38]);
        assert_eq!(calls(text), vec![2..19, 20..38]);
    }
}
