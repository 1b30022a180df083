//! Day 28: chains that call a calculator. A short seeded run learns to write
//! the call for 4-digit × 4-digit products, which the same model, with the
//! calculator switched off, cannot work out; and the calculator never
//! answers past its cap, whatever it is asked.

use reasonlab::data::files::DataFiles;
use reasonlab::data::reasoning::calc::{evaluate, Refusal, Value, LIMIT};
use reasonlab::figure::Plot;
use reasonlab::labs::{self, Training};
use reasonlab::rng::Rng;
use reasonlab::settings::Params;

fn start(settings: &[(&str, &str)]) -> Result<Box<dyn Training>, String> {
    let schema = labs::schema("tools");
    let mut p = Params::defaults(&schema);
    for (k, v) in settings {
        p.set(&schema, k, v).unwrap();
    }
    labs::start("tools", &p, &reasonlab::backend::cpu(), &DataFiles::default())
}

#[test]
fn the_model_learns_to_call_the_calculator() {
    let started = std::time::Instant::now();
    let mut lab = start(&[("task", "mul"), ("level", "4"), ("steps", "500"), ("eval_every", "500"), ("eval_n", "100"), ("layers", "2"), ("width", "64"), ("seed", "1")]).unwrap();
    let mut figures = Vec::new();
    while !lab.is_done() {
        for _ in 0..100 {
            lab.step();
        }
        // Figures come with the snapshot after an evaluation, and only then.
        let snapshot = pollster::block_on(lab.snapshot()).unwrap();
        if !snapshot.figures.is_empty() {
            figures = snapshot.figures;
        }
    }
    let last = pollster::block_on(lab.snapshot()).unwrap();
    let metric = |m: &str| last.metric(m).unwrap_or_else(|| panic!("no {m}: {:?}", last.metrics));
    eprintln!("tools: {:?} in {:.1} s; {}", last.metrics, started.elapsed().as_secs_f64(), last.note);
    assert!(metric("accuracy") >= 0.9, "with the calculator: {}", metric("accuracy"));
    // The lab's claim, as a difference: the results of calls are never trained,
    // so the model without its calculator has only its own digits to write.
    assert!(metric("accuracy") >= metric("no_tool_accuracy") + 0.5, "with it {} against without it {}", metric("accuracy"), metric("no_tool_accuracy"));
    // Both over the same 100 held-out products, each with its interval.
    assert_eq!((metric("accuracy_n"), metric("no_tool_accuracy_n")), (100.0, 100.0));
    assert!(metric("calls_parsed") >= 0.995, "calls that parse: {}", metric("calls_parsed"));
    // The chain view underlines the call and its result.
    let written = figures.iter().find(|f| f.name == "written").expect("the written problems are drawn");
    let Plot::Tokens(tokens) = &written.plot else { panic!("written is a token figure") };
    let line = &tokens.lines[0];
    let text: String = line.tokens.concat();
    assert!(text.contains("<calc>") && !line.accents.is_empty(), "{text}");
    assert!(line.accents.iter().all(|&i| i < line.tokens.len()));
    assert!(!tokens.accent_desc.is_empty());
}

#[test]
fn a_task_without_arithmetic_is_not_offered() {
    let schema = labs::schema("tools");
    let mut p = Params::defaults(&schema);
    let err = p.set(&schema, "task", "logic").expect_err("logic has nothing to compute");
    assert!(err.contains("mul"), "the message lists the tasks: {err}");
}

/// What every answer must be: a fraction in lowest terms whose numerator
/// and denominator are within the cap, and that reads back as a number
/// no larger.
fn within_cap(v: Value) -> bool {
    let shown: f64 = v.to_string().parse().unwrap();
    let gcd = |mut a: i128, mut b: i128| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a.abs()
    };
    v.num.unsigned_abs() <= LIMIT as u128 && (1..=LIMIT).contains(&v.den) && gcd(v.num, v.den) == 1 && shown.abs() <= 1e30
}

/// 5,000 calls at the edges of i128 and of the cap: powers of two whose
/// products land on i128::MIN or past i128::MAX, twelve nines, products
/// and sums just under, on and past 10^30, negations of all of them,
/// division by zero, brackets and signs nested to the limit and past it,
/// and calls past the length limit. Every answer is within the cap, however
/// it was reached; each refusal is one of those the edges call for.
#[test]
fn no_answer_passes_the_cap_at_the_edges_of_i128() {
    for (call, want) in [
        ("-8589934592*8589934592*8589934592*268435456", Err(Refusal::TooLarge)),
        ("8589934592*8589934592*8589934592*268435456", Err(Refusal::TooLarge)),
        ("-(8589934592*8589934592*8589934592*268435456)", Err(Refusal::TooLarge)),
        ("0-8589934592*8589934592*8589934592*268435456-1", Err(Refusal::TooLarge)),
        ("1000000*1000000*1000000*1000000*1000000", Ok("1000000000000000000000000000000")),
        ("-1000000*1000000*1000000*1000000*1000000", Ok("-1000000000000000000000000000000")),
        ("1000000*1000000*1000000*1000000*1000000+1", Err(Refusal::TooLarge)),
        ("-1000000*1000000*1000000*1000000*1000000-1", Err(Refusal::TooLarge)),
        ("1000000*1000000*1000000*1000000*1000000*10/10", Err(Refusal::TooLarge)),
        ("1/1000000/1000000/1000000/1000000/1000000", Ok("0")),
        ("1/1000000/1000000/1000000/1000000/1000000/10", Err(Refusal::TooLarge)),
        ("999999999999*999999999999*1000000", Ok("999999999998000000000001000000")),
        ("999999999999*999999999999*1000001", Err(Refusal::TooLarge)),
        ("0/0", Err(Refusal::DivisionByZero)),
        ("1/(0.5-0.5)", Err(Refusal::DivisionByZero)),
        ("--------9", Ok("9")),
        ("---------9", Err(Refusal::TooDeep)),
    ] {
        assert_eq!(evaluate(call).map(|v| v.to_string()), want.map(str::to_string), "{call}");
    }
    const NUMBERS: &[&str] = &["0", "1", "3", "0.5", "0.000001", "999999", "1000000", "1000001", "268435456", "8589934592", "8589934592", "549755813888", "999999999999", "999999999999", "1000000000000"];
    // A few factors, each maybe negated or a bracketed difference, then
    // maybe wrapped in brackets or signs up to past the depth limit.
    fn call(rng: &mut Rng) -> String {
        // A third are products of large numbers only: near the cap, on it, past it, and past i128.
        if rng.below(3) == 0 {
            let big = &NUMBERS[5..14];
            let factors: Vec<String> = (0..2 + rng.below(4)).map(|_| format!("{}{}", if rng.below(3) == 0 { "-" } else { "" }, big[rng.below(big.len() as u64) as usize])).collect();
            return factors.join("*");
        }
        let mut pick = || NUMBERS[rng.below(NUMBERS.len() as u64) as usize];
        let (a, b) = (pick(), pick());
        let mut s = String::new();
        for i in 0..1 + rng.below(4) {
            if i > 0 {
                s += ["+", "-", "*", "*", "*", "/"][rng.below(6) as usize];
            }
            let (x, y) = (NUMBERS[rng.below(NUMBERS.len() as u64) as usize], if rng.below(2) == 0 { a } else { b });
            s += &match rng.below(7) {
                0 => format!("-{x}"),
                1 => format!("({x}-{y})"),
                2 => format!("-({x}*{y})"),
                3 => format!("({x}-{x})"),
                _ => x.to_string(),
            };
        }
        let k = rng.below(12) as usize;
        match rng.below(4) {
            0 => format!("{}{s}{}", "(".repeat(k), ")".repeat(k)),
            1 => format!("{}({s})", "-".repeat(k)),
            _ => s,
        }
    }
    let mut rng = Rng::new(30);
    let mut counts = std::collections::BTreeMap::new();
    for _ in 0..5_000 {
        let call = call(&mut rng);
        let result = std::panic::catch_unwind(|| evaluate(&call)).unwrap_or_else(|_| panic!("panicked on {call:?}"));
        let kind = match result {
            Ok(v) => {
                assert!(within_cap(v), "{call:?} = {v:?}");
                if v.num.abs() >= LIMIT / 10 { "answered, near the cap" } else { "answered" }
            }
            Err(Refusal::TooLarge) => "too large",
            Err(Refusal::DivisionByZero) => "division by zero",
            Err(Refusal::TooDeep) => "too deep",
            Err(Refusal::TooLong(_)) => "too long",
            Err(Refusal::NumberTooLong) => "number too long",
            Err(e) => panic!("{call:?}: {e}"),
        };
        *counts.entry(kind).or_insert(0) += 1;
    }
    eprintln!("{counts:?}");
    assert!(counts.len() == 7 && counts.values().all(|&n| n >= 50), "{counts:?}");
}
