//! Arithmetic with its working shown, one checkable step at a time:
//!
//! - `+` and `−` go digit by digit from the right: `x+y+c=r,k` (digits x and
//!   y, carry in c, result digit r, carry out k), and `x-y-b=r,k` with borrows.
//! - `×` by partial products: for each digit of the second number, digit by
//!   digit of the first (`x*y+c=NN`, two digits: result and carry), then the
//!   partial product (`=615`); each partial product after the first is added
//!   to the sum so far digit by digit, as `+` is (`5+0+0=5,0;1+2+0=3,0;…`),
//!   because a sum of long numbers in one go is what a tiny model gets wrong
//!   (with the sum written in one step, 3 × 2 digits scored 8 %: BENCHMARKS.md).
//!
//! The answer is the plain number (after a chain, a difference is written
//! to its full width: `super::chain_answer`). `check_step` re-derives each step from the
//! question and the steps before it, so the first wrong one is found.

use super::Problem;
use crate::rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
}

impl Op {
    pub fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Sub => '-',
            Op::Mul => '*',
        }
    }

    pub fn task(self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul => "mul",
        }
    }
}

/// A number of exactly `digits` digits (1 digit: 0–9).
fn number(rng: &mut Rng, digits: usize) -> u64 {
    if digits <= 1 {
        return rng.below(10);
    }
    let lo = 10u64.pow(digits as u32 - 1);
    lo + rng.below(9 * lo)
}

/// Digits from the right: 1234 → [4, 3, 2, 1].
fn digits_of(n: u64) -> Vec<u64> {
    n.to_string().bytes().rev().map(|b| (b - b'0') as u64).collect()
}

/// A problem with operands of `digits` and `digits_b` digits (for `−` the
/// larger comes first, so the answer is never negative).
pub fn problem(op: Op, digits: usize, digits_b: usize, rng: &mut Rng) -> Problem {
    let (mut a, mut b) = (number(rng, digits), number(rng, digits_b));
    if op == Op::Sub && b > a {
        std::mem::swap(&mut a, &mut b);
    }
    let (answer, steps) = match op {
        Op::Add => (a + b, digit_steps(a, b, false)),
        Op::Sub => (a - b, digit_steps(a, b, true)),
        Op::Mul => (a * b, mul_steps(a, b)),
    };
    let difficulty = if op == Op::Mul { format!("{digits}x{digits_b}") } else { digits.to_string() };
    Problem { question: format!("{a}{}{b}", op.symbol()), chain: Some(steps.join(";")), answer: answer.to_string(), task: op.task().into(), difficulty, template: None }
}

/// `+` or `−` digit by digit: `x+y+c=r,k` / `x-y-b=r,k`.
fn digit_steps(a: u64, b: u64, sub: bool) -> Vec<String> {
    let (da, db) = (digits_of(a), digits_of(b));
    let mut carry = 0i64;
    let mut steps = Vec::new();
    for i in 0..da.len().max(db.len()) {
        let (x, y) = (*da.get(i).unwrap_or(&0) as i64, *db.get(i).unwrap_or(&0) as i64);
        let (r, k) = if sub {
            let v = x - y - carry;
            (v.rem_euclid(10), (v < 0) as i64)
        } else {
            let v = x + y + carry;
            (v % 10, v / 10)
        };
        steps.push(format!("{x}{}{y}{}{carry}={r},{k}", if sub { '-' } else { '+' }, if sub { '-' } else { '+' }));
        carry = k;
    }
    steps
}

/// `×` by partial products, each digit by digit, then their sum.
fn mul_steps(a: u64, b: u64) -> Vec<String> {
    let da = digits_of(a);
    let mut steps = Vec::new();
    let mut sum = 0;
    let db = digits_of(b);
    for (j, &y) in db.iter().enumerate() {
        let mut carry = 0;
        for &x in &da {
            let v = x * y + carry;
            steps.push(format!("{x}*{y}+{carry}={v:02}"));
            carry = v / 10;
        }
        let partial = a * y * 10u64.pow(j as u32);
        steps.push(format!("={partial}"));
        if j > 0 {
            steps.extend(digit_steps(sum, partial, false));
            // A sum that more partial products follow is written out, to be read back.
            if j + 1 < db.len() {
                steps.push(format!("={}", sum + partial));
            }
        }
        sum += partial;
    }
    steps
}

/// Whether step `i` of a chain is the one `question` calls for.
pub fn check_step(question: &str, steps: &[&str], i: usize) -> bool {
    let Some((a, op, b)) = parse_question(question) else { return false };
    let want = match op {
        Op::Add | Op::Sub => digit_steps(a, b, op == Op::Sub),
        Op::Mul => mul_steps(a, b),
    };
    // Steps are fixed by the question alone: the expected one at i is unique.
    want.get(i).is_some_and(|w| w == steps[i])
}

/// "123*45" → (123, ×, 45).
pub fn parse_question(q: &str) -> Option<(u64, Op, u64)> {
    let at = q.find(['+', '-', '*'])?;
    let op = match &q[at..at + 1] {
        "+" => Op::Add,
        "-" => Op::Sub,
        _ => Op::Mul,
    };
    Some((q[..at].trim().parse().ok()?, op, q[at + 1..].trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addition_carries_digit_by_digit() {
        let steps = digit_steps(1234, 5678, false);
        assert_eq!(steps, ["4+8+0=2,1", "3+7+1=1,1", "2+6+1=9,0", "1+5+0=6,0"]);
        assert_eq!(digit_steps(99, 1, false), ["9+1+0=0,1", "9+0+1=0,1"]);
    }

    #[test]
    fn subtraction_borrows_digit_by_digit() {
        assert_eq!(digit_steps(5002, 1234, true), ["2-4-0=8,1", "0-3-1=6,1", "0-2-1=7,1", "5-1-1=3,0"]);
    }

    #[test]
    fn multiplication_by_partial_products() {
        #[rustfmt::skip]
        assert_eq!(mul_steps(123, 45), ["3*5+0=15", "2*5+1=11", "1*5+1=06", "=615", "3*4+0=12", "2*4+1=09", "1*4+0=04", "=4920",
            "5+0+0=5,0", "1+2+0=3,0", "6+9+0=5,1", "0+4+1=5,0"]);
        // Three partial products: the sum after the second is written out.
        let steps = mul_steps(12, 111);
        assert_eq!(steps[3..10], ["2*1+0=02", "1*1+0=01", "=120", "2+0+0=2,0", "1+2+0=3,0", "0+1+0=1,0", "=132"]);
        assert_eq!(steps.last().unwrap(), "0+1+0=1,0", "{steps:?}");
    }

    #[test]
    fn every_generated_chain_checks_and_ends_at_its_answer() {
        let mut rng = Rng::new(1);
        for op in [Op::Add, Op::Sub, Op::Mul] {
            for digits in 1..=6 {
                for _ in 0..50 {
                    let p = problem(op, digits, if op == Op::Mul { 2 } else { digits }, &mut rng);
                    let (a, _, b) = parse_question(&p.question).unwrap();
                    let want = match op {
                        Op::Add => a + b,
                        Op::Sub => a - b,
                        Op::Mul => a * b,
                    };
                    assert_eq!(p.answer, want.to_string(), "{}", p.question);
                    assert_eq!(a.to_string().len(), digits, "{} has {digits}-digit operands", p.question);
                    let chain = p.chain.unwrap();
                    let steps: Vec<&str> = chain.split(';').collect();
                    assert!((0..steps.len()).all(|i| check_step(&p.question, &steps, i)), "{}: {chain}", p.question);
                }
            }
        }
    }
}
