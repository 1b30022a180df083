//! GSM8K-style word problems from sentence templates: someone has some
//! objects, then 2–4 sentences each change how many (buys, gives away,
//! doubles…), then the question. The chain is one line per sentence,
//! `8-2=6`, each starting from the line before; the answer is the last
//! number. Some templates never appear in training (`HELD_OUT`), so that a
//! test can ask whether a model read the sentences or learned the templates.

use super::Problem;
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
}

/// A sentence: its operation, its text after the name (`{k}` is the number),
/// and the number when the text has none ("doubles").
const TEMPLATES: [(Op, &str, u64); 10] = [
    (Op::Add, " buys {k} more.", 0),
    (Op::Add, " finds {k} more.", 0),
    (Op::Add, " gets {k} from a friend.", 0),
    (Op::Add, " picks {k} more.", 0),
    (Op::Sub, " gives {k} away.", 0),
    (Op::Sub, " loses {k}.", 0),
    (Op::Sub, " sells {k}.", 0),
    (Op::Sub, " uses {k}.", 0),
    (Op::Mul, " doubles them.", 2),
    (Op::Mul, " gets {k} times as many.", 0),
];

/// Templates kept out of every training set: held-out test sets use them.
pub const HELD_OUT: [usize; 2] = [3, 7];

const NAMES: [&str; 10] = ["Ann", "Bob", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jo"];
const OBJECTS: [&str; 8] = ["apples", "pens", "cards", "coins", "books", "shells", "eggs", "stamps"];

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

/// A problem of `ops` operations. With `held_out`, at least one sentence uses
/// a held-out template; without, none does. With `big`, the numbers have 5–6
/// digits (the calculator's lab): a start of 10,000 to 999,999, amounts of
/// 1,000 to 99,999, and products up to 3 million (sums a little past).
pub fn problem(ops: usize, held_out: bool, big: bool, rng: &mut Rng) -> Problem {
    let ops = ops.clamp(1, 6);
    let name = pick(rng, &NAMES);
    let object = pick(rng, &OBJECTS);
    let start = if big { 10_000 + rng.below(990_000) } else { 2 + rng.below(19) };
    let (amount, most_to_multiply) = if big { ((1_000, 99_000), 1_000_000) } else { ((1, 20), 150) };
    let mut value = start;
    let mut text = format!("{name} has {start} {object}.");
    let mut steps = Vec::new();
    let mut used = Vec::new();
    let must = held_out.then(|| rng.below(ops as u64) as usize);
    for i in 0..ops {
        let allowed: Vec<usize> = (0..TEMPLATES.len())
            .filter(|t| if must == Some(i) { HELD_OUT.contains(t) } else { held_out || !HELD_OUT.contains(t) })
            // Keep the numbers in bounds: no product past 500 (big: 3
            // million), nothing below 0.
            .filter(|&t| TEMPLATES[t].0 != Op::Mul || value <= most_to_multiply)
            .filter(|&t| TEMPLATES[t].0 != Op::Sub || value >= 2)
            .collect();
        let t = allowed[rng.below(allowed.len() as u64) as usize];
        let (op, frame, implied) = TEMPLATES[t];
        let k = match op {
            _ if implied > 0 => implied,
            Op::Add => amount.0 + rng.below(amount.1),
            Op::Sub => 1 + rng.below(value.min(amount.0 - 1 + amount.1)),
            Op::Mul => 2 + rng.below(2),
        };
        let (symbol, next) = match op {
            Op::Add => ('+', value + k),
            Op::Sub => ('-', value - k),
            Op::Mul => ('*', value * k),
        };
        text.push(' ');
        text.push_str(name);
        text.push_str(&frame.replace("{k}", &k.to_string()));
        steps.push(format!("{value}{symbol}{k}={next}"));
        used.push(t.to_string());
        value = next;
    }
    text.push_str(&format!(" How many {object} does {name} have?"));
    Problem { question: text, chain: Some(steps.join(";")), answer: value.to_string(), task: "word".into(), difficulty: ops.to_string(), template: Some(used.join(",")) }
}

/// A sentence's template and number, if it is one of `TEMPLATES` after `name`.
fn read_sentence(sentence: &str, name: &str) -> Option<(Op, u64)> {
    let rest = sentence.strip_prefix(name)?;
    TEMPLATES.iter().find_map(|&(op, frame, implied)| {
        if implied > 0 {
            return (rest == frame).then_some((op, implied));
        }
        let (before, after) = frame.split_once("{k}")?;
        let k = rest.strip_prefix(before)?.strip_suffix(after)?;
        k.chars().all(|c| c.is_ascii_digit()).then(|| k.parse().ok()).flatten().map(|k| (op, k))
    })
}

/// The chain a question's sentences call for, worked out from the text.
pub fn solve(question: &str) -> Option<Vec<String>> {
    let mut sentences = question.split_inclusive('.').map(str::trim);
    let first = sentences.next()?;
    let (name, rest) = first.split_once(" has ")?;
    let mut value: u64 = rest.split(' ').next()?.parse().ok()?;
    let mut steps = Vec::new();
    for s in sentences.filter(|s| !s.starts_with("How many")) {
        let (op, k) = read_sentence(s, name)?;
        let (symbol, next) = match op {
            Op::Add => ('+', value + k),
            Op::Sub => ('-', value.checked_sub(k)?),
            Op::Mul => ('*', value * k),
        };
        steps.push(format!("{value}{symbol}{k}={next}"));
        value = next;
    }
    Some(steps)
}

/// Whether line `i` of a chain is the one the question's i-th sentence calls for.
pub fn check_step(question: &str, steps: &[&str], i: usize) -> bool {
    solve(question).is_some_and(|want| want.get(i).is_some_and(|w| w == steps[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_follow_the_sentences_and_templates_stay_where_they_belong() {
        let mut rng = Rng::new(5);
        for ops in 2..=4 {
            for held_out in [false, true] {
                for _ in 0..200 {
                    let p = problem(ops, held_out, false, &mut rng);
                    let chain = p.chain.clone().unwrap();
                    let want = solve(&p.question).unwrap_or_else(|| panic!("does not read: {}", p.question));
                    assert_eq!(want.join(";"), chain, "{}", p.question);
                    assert_eq!(chain.split(';').count(), ops);
                    assert_eq!(chain.rsplit('=').next().unwrap(), p.answer);
                    let used: Vec<usize> = p.template.unwrap().split(',').map(|t| t.parse().unwrap()).collect();
                    assert_eq!(used.iter().any(|t| HELD_OUT.contains(t)), held_out, "{}", p.question);
                }
            }
        }
    }

    #[test]
    fn big_numbers_have_five_or_six_digits_and_chains_still_follow() {
        let mut rng = Rng::new(8);
        for ops in 1..=4 {
            for _ in 0..300 {
                let p = problem(ops, false, true, &mut rng);
                let start: u64 = p.question.split(' ').nth(2).unwrap().parse().unwrap();
                assert!((10_000..1_000_000).contains(&start), "{}", p.question);
                assert_eq!(solve(&p.question).unwrap().join(";"), p.chain.clone().unwrap(), "{}", p.question);
                let answer: u64 = p.answer.parse().unwrap();
                assert!(answer < 4_000_000, "{}", p.question);
            }
        }
    }

    #[test]
    fn a_step_with_the_wrong_number_or_operation_is_wrong() {
        let q = "Ann has 5 pens. Ann buys 3 more. Ann gives 2 away. How many pens does Ann have?";
        assert_eq!(solve(q).unwrap(), ["5+3=8", "8-2=6"]);
        assert!(check_step(q, &["5+3=8", "8-2=6"], 1));
        assert!(!check_step(q, &["5+3=8", "8+2=10"], 1));
        assert!(!check_step(q, &["5+3=9", "9-2=7"], 0));
        assert!(!check_step(q, &["5+3=9", "9-2=7"], 1), "a step judged against the question, not the wrong line before it");
    }
}
