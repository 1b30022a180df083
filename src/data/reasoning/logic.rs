//! Logic chains: rules `AB` ("every A is a B"), shuffled among distractor
//! rules, and a question about where a start entity leads. Each entity has at
//! most one rule out of it, so following the rules is a path:
//!
//! - `AB;CD;BE|A?E` asks whether A ends up at E: `yes` or `no`;
//! - `AB;CD;BE|A?` asks where A ends up: `E`.
//!
//! The chain lists the hops taken (`AB;BE`), ending where no rule goes on; a
//! yes/no question's chain then sets the letter reached beside the one asked
//! about (`E?D`), so that the answer compares two letters side by side.
//! Trained on 1–3 hops, a 3 × 96 GPT gets nearly every 3-hop question right
//! and stops after 3 hops on nearly every longer one: it counts hops instead
//! of looking for a rule that goes on. Trained with gaps drawn into its RoPE
//! positions once its lookups have formed (the `cot` lab's `gaps`), it cannot
//! count, and goes on to 5 hops (BENCHMARKS.md).
//! (Asking whether A passes through a letter on the way would make the
//! answer a search of the whole chain: a 3 × 96 GPT that had every hop right
//! stayed at chance on those, BENCHMARKS.md; without the comparison step it
//! still said yes to a third of the no's.)
//!
//! A rule is two letters side by side, not `A>B`: then each hop is the plainest
//! lookup a transformer learns (find the letter just written, copy the one
//! after it). With `A>B`, the letter two after an `A` is `B` after a left-side
//! `A` but something else after a right-side one, and a 3 × 96 GPT stalled at
//! 0.45 of 1-hop lookups where the pairs reach 0.92 (BENCHMARKS.md).
//! `check_step` finds the first hop that is not a rule or does not continue
//! from the one before.

use super::Problem;
use crate::rng::Rng;

/// Entities are capital letters.
const ENTITIES: usize = 26;

fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

/// A problem whose true path has `hops` hops, with distractor paths of random
/// lengths (up to `hops`) among the other entities; half the yes/no questions
/// are "no" (the target is on a distractor path, or on the path before its
/// end), and a third of all questions ask for the entity reached instead.
pub fn problem(hops: usize, rng: &mut Rng) -> Problem {
    let hops = hops.clamp(1, 8);
    // A random order of the letters: the first hops + 1 make the true path.
    let mut order: Vec<usize> = (0..ENTITIES).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let path: Vec<usize> = order[..=hops].to_vec();
    let mut rules: Vec<(usize, usize)> = path.windows(2).map(|w| (w[0], w[1])).collect();
    // Distractors: two or three other paths, disjoint from the true one.
    let mut rest = order[hops + 1..].iter().copied();
    let mut off_path = Vec::new();
    for _ in 0..2 + rng.below(2) {
        let len = 1 + rng.below(hops as u64) as usize;
        let chain: Vec<usize> = rest.by_ref().take(len + 1).collect();
        if chain.len() < 2 {
            break;
        }
        rules.extend(chain.windows(2).map(|w| (w[0], w[1])));
        off_path.extend(chain);
    }
    for i in (1..rules.len()).rev() {
        rules.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let facts = rules.iter().map(|&(a, b)| format!("{}{}", letter(a), letter(b))).collect::<Vec<_>>().join(";");
    let start = letter(path[0]);
    let end = letter(path[hops]);
    let mut chain = path.windows(2).map(|w| format!("{}{}", letter(w[0]), letter(w[1]))).collect::<Vec<_>>().join(";");
    let kind = rng.below(3);
    let target = if kind == 0 {
        None
    } else if kind == 1 || off_path.is_empty() {
        // "yes": the target is where the path ends.
        Some(end)
    } else {
        // "no": a letter of another path, or one passed on the way.
        let passed = &path[1..hops];
        let pick = rng.below((off_path.len() + passed.len()) as u64) as usize;
        Some(letter(*off_path.get(pick).unwrap_or_else(|| &passed[pick - off_path.len()])))
    };
    let (question, answer) = match target {
        None => (format!("{facts}|{start}?"), end.to_string()),
        Some(target) => {
            chain.push_str(&format!(";{end}?{target}"));
            (format!("{facts}|{start}?{target}"), if target == end { "yes" } else { "no" }.to_string())
        }
    };
    Problem { question, chain: Some(chain), answer, task: "logic".into(), difficulty: hops.to_string(), template: None }
}

/// The rules of a question, and its start.
fn parse(question: &str) -> Option<(Vec<(char, char)>, char)> {
    let (facts, query) = question.split_once('|')?;
    Some((facts.split(';').map(pair).collect::<Option<Vec<_>>>()?, query.chars().next()?))
}

/// A rule or hop: two capital letters.
fn pair(s: &str) -> Option<(char, char)> {
    let mut c = s.chars();
    match (c.next(), c.next(), c.next()) {
        (Some(a), Some(b), None) if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Some((a, b)),
        _ => None,
    }
}

/// Whether step `i` is right. A hop must be a rule of the question and go on
/// from the hop before (the first from the start). A comparison `E?T` must
/// come last, after the hop that reached E, where no rule goes on, and set E
/// beside the question's target.
pub fn check_step(question: &str, steps: &[&str], i: usize) -> bool {
    let Some((rules, start)) = parse(question) else { return false };
    let from = if i == 0 { Some(start) } else { pair(steps[i - 1]).map(|h| h.1) };
    if let Some((reached, asked)) = steps[i].split_once('?') {
        let target = question.split_once('?').map(|q| q.1);
        let ended = from.is_some_and(|e| reached == e.to_string() && !rules.iter().any(|r| r.0 == e));
        return i > 0 && i + 1 == steps.len() && ended && Some(asked) == target;
    }
    let Some((a, b)) = pair(steps[i]) else { return false };
    from == Some(a) && rules.contains(&(a, b))
}

/// The answer a question's rules give, worked out directly: for tests.
pub fn solve(question: &str) -> Option<String> {
    let (rules, start) = parse(question)?;
    let query = question.split_once('|')?.1;
    let mut at = start;
    while let Some(&(_, b)) = rules.iter().find(|r| r.0 == at) {
        at = b;
    }
    Some(match query.chars().nth(2) {
        Some(target) => if at == target { "yes" } else { "no" }.to_string(),
        None => at.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_follow_the_rules_and_chains_check() {
        let mut rng = Rng::new(3);
        let mut kinds = [0usize; 3];
        for hops in 1..=6 {
            for _ in 0..200 {
                let p = problem(hops, &mut rng);
                assert_eq!(solve(&p.question).as_deref(), Some(p.answer.as_str()), "{}", p.question);
                let chain = p.chain.unwrap();
                let steps: Vec<&str> = chain.split(';').collect();
                assert_eq!(steps.len(), hops + (p.answer.len() > 1) as usize);
                assert!((0..hops).all(|i| check_step(&p.question, &steps, i)), "{}: {chain}", p.question);
                kinds[match p.answer.as_str() { "yes" => 0, "no" => 1, _ => 2 }] += 1;
                // A yes/no question compares the letter reached with the one asked about.
                if let Some(target) = p.question.split_once('?').unwrap().1.chars().next() {
                    let (reached, asked) = steps[hops].split_once('?').unwrap();
                    assert_eq!(asked, target.to_string());
                    assert_eq!(p.answer == "yes", reached == asked, "{}: {chain}", p.question);
                }
            }
        }
        assert!(kinds.iter().all(|&k| k > 200), "every kind of question comes up: {kinds:?}");
    }

    #[test]
    fn a_hop_that_skips_or_is_no_rule_is_wrong() {
        let q = "AB;CD;BE|A?";
        assert!(check_step(q, &["AB", "BE"], 1));
        assert!(!check_step(q, &["AB", "CD"], 1), "does not go on from B");
        assert!(!check_step(q, &["AE"], 0), "no such rule");
        assert!(!check_step(q, &["A>B"], 0), "the old form is not a hop");
        assert!(!check_step(q, &["CD"], 0), "does not start at A");
        let q = "AB;CD;BE|A?D";
        assert!(check_step(q, &["AB", "BE", "E?D"], 2));
        assert!(!check_step(q, &["AB", "B?D"], 1), "the path does not end at B");
        assert!(!check_step(q, &["AB", "BE", "B?D"], 2), "not the letter reached");
        assert!(!check_step(q, &["AB", "BE", "E?C"], 2), "not the letter asked about");
        assert!(!check_step(q, &["AB", "BE", "E?D", "DC"], 2), "the comparison comes last");
        assert!(!check_step(q, &["AB", "BE", "E?D", "E?D"], 3), "once");
        assert_eq!(solve(q).as_deref(), Some("no"));
        assert_eq!(solve("AB;CD;BE|A?").as_deref(), Some("E"));
    }
}
