//! Day 28's calculator: the tool a model calls by writing `<calc>347*589</calc>`.
//! Its own small evaluator, never a general one: numbers, `+ − × ÷`, and
//! brackets, nothing else. Anything else is refused with a message before any
//! of it is evaluated; sizes are capped so that no input can take long or
//! overflow: at most `MAX_LEN` characters, `MAX_DIGITS` digits a number,
//! `MAX_DEPTH` brackets deep, and every intermediate result exact (a fraction
//! of `i128`s) or refused as too large.

use std::fmt;

/// The longest expression read, in characters.
pub const MAX_LEN: usize = 64;
/// The most digits a number may have (before and after a decimal point).
pub const MAX_DIGITS: usize = 12;
/// The deepest nesting of brackets (and of leading minus signs).
pub const MAX_DEPTH: usize = 8;
/// The largest magnitude of any intermediate numerator or denominator.
pub const LIMIT: i128 = 10i128.pow(30);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLong(usize),
    /// A character that is not a digit, an operator, a bracket or a space.
    NotArithmetic(char),
    NumberTooLong,
    TooDeep,
    DivisionByZero,
    TooLarge,
    /// Well-formed characters in a malformed order.
    Syntax(&'static str),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Empty => write!(f, "the call is empty"),
            Refusal::TooLong(n) => write!(f, "the call is {n} characters long; at most {MAX_LEN} are read"),
            Refusal::NotArithmetic(c) => write!(f, "{c:?} is not arithmetic: only numbers, + - * / and brackets"),
            Refusal::NumberTooLong => write!(f, "a number has more than {MAX_DIGITS} digits"),
            Refusal::TooDeep => write!(f, "brackets or signs nest more than {MAX_DEPTH} deep"),
            Refusal::DivisionByZero => write!(f, "division by zero"),
            Refusal::TooLarge => write!(f, "a result is too large to be exact"),
            Refusal::Syntax(why) => write!(f, "not an expression: {why}"),
        }
    }
}

/// An exact value: `num / den`, `den > 0`, in lowest terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Value {
    pub num: i128,
    pub den: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl Value {
    fn new(num: i128, den: i128) -> Result<Value, Refusal> {
        if den == 0 {
            return Err(Refusal::DivisionByZero);
        }
        // i128::MIN has no absolute value: a product can land on it exactly
        // (−2^33 · 2^33 · 2^33 · 2^28), far past the cap anyway.
        if num == i128::MIN || den == i128::MIN {
            return Err(Refusal::TooLarge);
        }
        let g = gcd(num, den) * den.signum();
        let v = Value { num: num / g, den: den / g };
        if v.num.abs() > LIMIT || v.den > LIMIT {
            return Err(Refusal::TooLarge);
        }
        Ok(v)
    }

    fn combine(self, op: char, o: Value) -> Result<Value, Refusal> {
        // Operands are at most 1e30 and a product of two can pass i128's
        // 1.7e38: checked arithmetic refuses instead of wrapping.
        let mul = |a: i128, b: i128| a.checked_mul(b).ok_or(Refusal::TooLarge);
        let add = |a: i128, b: i128| a.checked_add(b).ok_or(Refusal::TooLarge);
        let neg = |a: i128| a.checked_neg().ok_or(Refusal::TooLarge);
        match op {
            '+' => Value::new(add(mul(self.num, o.den)?, mul(o.num, self.den)?)?, mul(self.den, o.den)?),
            '-' => Value::new(add(mul(self.num, o.den)?, neg(mul(o.num, self.den)?)?)?, mul(self.den, o.den)?),
            '*' => Value::new(mul(self.num, o.num)?, mul(self.den, o.den)?),
            _ => Value::new(mul(self.num, o.den)?, mul(self.den, o.num)?),
        }
    }
}

/// The value as the model reads it back: a whole number, or a decimal of at
/// most 6 places (rounded half away from zero, trailing zeros dropped).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            return write!(f, "{}", self.num);
        }
        let scaled = (self.num.abs() * 1_000_000 * 2 + self.den) / (2 * self.den);
        let sign = if self.num < 0 && scaled > 0 { "-" } else { "" };
        let frac = format!("{:06}", scaled % 1_000_000);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            write!(f, "{sign}{}", scaled / 1_000_000)
        } else {
            write!(f, "{sign}{}.{frac}", scaled / 1_000_000)
        }
    }
}

/// A recursive-descent parser over the checked characters; `depth` caps recursion.
struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&mut self) -> Option<u8> {
        while self.s.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
        self.s.get(self.at).copied()
    }

    /// sum := product (('+' | '-') product)*
    fn sum(&mut self, depth: usize) -> Result<Value, Refusal> {
        let mut v = self.product(depth)?;
        while let Some(op @ (b'+' | b'-')) = self.peek() {
            self.at += 1;
            v = v.combine(op as char, self.product(depth)?)?;
        }
        Ok(v)
    }

    /// product := factor (('*' | '/') factor)*
    fn product(&mut self, depth: usize) -> Result<Value, Refusal> {
        let mut v = self.factor(depth)?;
        while let Some(op @ (b'*' | b'/')) = self.peek() {
            self.at += 1;
            v = v.combine(op as char, self.factor(depth)?)?;
        }
        Ok(v)
    }

    /// factor := '-' factor | '(' sum ')' | number
    fn factor(&mut self, depth: usize) -> Result<Value, Refusal> {
        if depth > MAX_DEPTH {
            return Err(Refusal::TooDeep);
        }
        match self.peek() {
            Some(b'-') => {
                self.at += 1;
                let v = self.factor(depth + 1)?;
                Ok(Value { num: -v.num, den: v.den })
            }
            Some(b'(') => {
                self.at += 1;
                let v = self.sum(depth + 1)?;
                if self.peek() != Some(b')') {
                    return Err(Refusal::Syntax("a bracket is not closed"));
                }
                self.at += 1;
                Ok(v)
            }
            Some(b'0'..=b'9' | b'.') => self.number(),
            Some(_) => Err(Refusal::Syntax("an operator where a number belongs")),
            None => Err(Refusal::Syntax("it ends where a number belongs")),
        }
    }

    fn number(&mut self) -> Result<Value, Refusal> {
        let (mut num, mut den, mut digits, mut point) = (0i128, 1i128, 0, false);
        while let Some(c @ (b'0'..=b'9' | b'.')) = self.s.get(self.at).copied() {
            self.at += 1;
            if c == b'.' {
                if point {
                    return Err(Refusal::Syntax("a number with two decimal points"));
                }
                point = true;
                continue;
            }
            digits += 1;
            if digits > MAX_DIGITS {
                return Err(Refusal::NumberTooLong);
            }
            num = num * 10 + (c - b'0') as i128;
            if point {
                den *= 10;
            }
        }
        if digits == 0 {
            return Err(Refusal::Syntax("a point without digits"));
        }
        Value::new(num, den)
    }
}

/// Evaluates a call's text, or says why it will not.
pub fn evaluate(expr: &str) -> Result<Value, Refusal> {
    let len = expr.chars().count();
    if len > MAX_LEN {
        return Err(Refusal::TooLong(len));
    }
    // The whole text is checked before anything is evaluated; the model's
    // `×`, `÷` and `−` are read as `*`, `/` and `-`.
    let mut ascii = Vec::with_capacity(expr.len());
    for c in expr.chars() {
        ascii.push(match c {
            '0'..='9' | '+' | '-' | '*' | '/' | '(' | ')' | '.' | ' ' => c as u8,
            '×' => b'*',
            '÷' => b'/',
            '−' => b'-',
            _ => return Err(Refusal::NotArithmetic(c)),
        });
    }
    let mut p = Parser { s: &ascii, at: 0 };
    if p.peek().is_none() {
        return Err(Refusal::Empty);
    }
    let v = p.sum(0)?;
    match p.peek() {
        None => Ok(v),
        Some(b')') => Err(Refusal::Syntax("a bracket closes that never opened")),
        Some(_) => Err(Refusal::Syntax("two numbers without an operator between them")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn show(s: &str) -> String {
        match evaluate(s) {
            Ok(v) => v.to_string(),
            Err(e) => format!("refused: {e}"),
        }
    }

    #[test]
    fn arithmetic_is_exact_and_reads_back_plainly() {
        assert_eq!(show("347*589"), "204383");
        assert_eq!(show("2+3*4"), "14");
        assert_eq!(show("(2+3)*4"), "20");
        assert_eq!(show("7/2"), "3.5");
        assert_eq!(show("1/3"), "0.333333");
        assert_eq!(show("2/3"), "0.666667");
        assert_eq!(show("-2/3"), "-0.666667");
        assert_eq!(show("10-4-3"), "3", "left to right");
        assert_eq!(show("100/10/5"), "2");
        assert_eq!(show(" 12 × 3 − 6 ÷ 2 "), "33");
        assert_eq!(show("--5"), "5");
        assert_eq!(show("0.1+0.2"), "0.3", "exact, not floating point");
        assert_eq!(show("999999999999*999999999999"), "999999999998000000000001");
    }

    #[test]
    fn anything_but_arithmetic_is_refused_with_a_reason() {
        for (call, why) in [
            ("", "empty"),
            ("import os", "'i' is not arithmetic"),
            ("2**3", "an operator where a number belongs"),
            ("2^3^4", "'^' is not arithmetic"),
            ("1e308", "'e' is not arithmetic"),
            ("0x1F", "'x' is not arithmetic"),
            ("5/0", "division by zero"),
            ("5/(3-3)", "division by zero"),
            ("(1+2", "not closed"),
            ("1+2)", "never opened"),
            ("1 2", "without an operator"),
            ("1.2.3", "two decimal points"),
            ("1234567890123", "more than 12 digits"),
            ("((((((((((1))))))))))", "nest more than 8"),
            ("999999999999*999999999999*999999999999", "too large"),
            // Exactly i128::MIN, which has no absolute value (a panic in debug builds once).
            ("-8589934592*8589934592*8589934592*268435456", "too large"),
            ("1/268435456-(-8589934592*8589934592*8589934592)", "too large"),
        ] {
            let got = show(call);
            assert!(got.starts_with("refused") && got.contains(why), "{call:?}: {got}");
        }
        assert!(show(&"1+".repeat(40)).contains("at most 64"));
    }

    /// 20,000 hostile calls: random strings from code, names, operators,
    /// brackets, huge numbers and odd characters. None panics, each answers
    /// at once, every answer is within the cap, and every call that is
    /// refused contains something outside the grammar or over a cap (checked
    /// by re-deriving the reason). tests/tools.rs adds calls at the edges of
    /// i128 and of the cap.
    #[test]
    fn twenty_thousand_hostile_calls_never_panic_and_never_evaluate_code() {
        const PIECES: &[&str] = &[
            "1", "9", "0", "42", "999999999999", "7.5", ".", "+", "-", "*", "/", "(", ")", " ", "**", "^", "e", "x", "×", "÷", "−", "__import__('os')", "exec(", "print", "a", "Z", "sqrt", "pow(2,", ";", "\0", "\n", "\"", "'", "%", "&&", "|", "=", "<calc>", "</calc>", "∞", "NaN", "inf", "é", "🙂", "[", "]", "{", "}", ",",
        ];
        let mut rng = Rng::new(28);
        let (mut answered, mut refused) = (0, 0);
        let started = std::time::Instant::now();
        for _ in 0..20_000 {
            // Half the calls from the grammar's own pieces only (the first 12:
            // malformed orders, deep brackets, huge numbers), half from all.
            let pool = if rng.below(2) == 0 { 12 } else { PIECES.len() };
            let n = 1 + rng.below(if pool == 12 { 12 } else { 30 }) as usize;
            let call: String = (0..n).map(|_| PIECES[rng.below(pool as u64) as usize]).collect();
            let t = std::time::Instant::now();
            let result = std::panic::catch_unwind(|| evaluate(&call));
            assert!(t.elapsed().as_millis() < 50, "{call:?} took {:?}", t.elapsed());
            match result.unwrap_or_else(|_| panic!("panicked on {call:?}")) {
                Ok(v) => {
                    answered += 1;
                    assert!(v.num.unsigned_abs() <= LIMIT as u128 && (1..=LIMIT).contains(&v.den), "{call:?} = {v:?}: past the cap");
                    assert!(call.chars().all(|c| "0123456789+-*/(). ×÷−".contains(c)), "evaluated {call:?}");
                }
                Err(Refusal::NotArithmetic(c)) => {
                    refused += 1;
                    assert!(!"0123456789+-*/(). ×÷−".contains(c) && call.contains(c), "{call:?}: {c:?}");
                }
                Err(_) => refused += 1,
            }
        }
        assert!(answered > 500 && refused > 10_000, "answered {answered}, refused {refused}");
        assert!(started.elapsed().as_secs() < 10);
    }

    /// Well-formed sums and products of random numbers agree with i128 arithmetic.
    #[test]
    fn random_well_formed_calls_agree_with_plain_integer_arithmetic() {
        let mut rng = Rng::new(5);
        for _ in 0..5_000 {
            let a = rng.below(1_000_000) as i128;
            let b = rng.below(1_000_000) as i128;
            let c = 1 + rng.below(999) as i128;
            assert_eq!(evaluate(&format!("{a}*{b}")).unwrap().to_string(), (a * b).to_string());
            assert_eq!(evaluate(&format!("({a}-{b})*{c}")).unwrap().to_string(), ((a - b) * c).to_string());
            assert_eq!(evaluate(&format!("{a}+{b}/{c}*{c}")).unwrap().to_string(), (a + b).to_string());
        }
    }
}
