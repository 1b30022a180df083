//! How sure a score is: every accuracy here is a count out of n questions,
//! and comes with a 95 % interval (Wilson's, which stays inside 0–1 and is
//! honest at 0 of n and n of n, where the textbook ± 1.96·SE is not). Two
//! models scored on the same questions are compared pair by pair: only the
//! questions one gets and the other misses carry information (McNemar), and
//! the difference's interval is Newcombe's square-and-add for paired shares
//! (his 1998 method 10, built from the two Wilson intervals). A verdict
//! ("better", "worse") is given only when that interval leaves out 0 and
//! McNemar's exact test agrees (p < 0.05).

/// z for a two-sided 95 % interval.
const Z: f64 = 1.959_963_984_540_054;

/// Wilson's 95 % interval for `k` right of `n`; (0, 1) for n = 0.
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (nf, p) = (n as f64, k as f64 / n as f64);
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
    let half = Z / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // At 0 of n and n of n the bound is exactly the end (rounding leaves ~1e-18).
    let lo = if k == 0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if k == n { 1.0 } else { (centre + half).min(1.0) };
    (lo, hi)
}

/// An accuracy as metrics: the share, its interval and n, under `name`,
/// `name_lo`, `name_hi` and `name_n` (the page shows the last three beside
/// the first; the CLI prints all four).
pub fn accuracy_metrics(name: &str, right: usize, n: usize) -> Vec<(String, f64)> {
    let (lo, hi) = wilson(right, n);
    vec![(name.to_string(), right as f64 / n.max(1) as f64), (format!("{name}_lo"), lo), (format!("{name}_hi"), hi), (format!("{name}_n"), n as f64)]
}

/// An accuracy measured as a share over `n` independent items (rows,
/// sequences, images), with its interval, as `accuracy_metrics`. A share
/// over the characters of `n` rows is given `n` rows: the characters of a
/// row are not independent, and the interval over rows is the wider, safe one.
pub fn share_metrics(name: &str, share: f64, n: usize) -> Vec<(String, f64)> {
    // The value as measured; the interval from the nearest whole count.
    let share = share.clamp(0.0, 1.0);
    let mut out = accuracy_metrics(name, (share * n as f64).round() as usize, n);
    out[0].1 = share;
    out
}

/// An accuracy as text: "62.0 % (95 % CI 55.1–68.4 %, n = 200)".
pub fn with_interval(right: usize, n: usize) -> String {
    let (lo, hi) = wilson(right, n);
    format!("{:.1} % (95 % CI {:.1}–{:.1} %, n = {n})", 100.0 * right as f64 / n.max(1) as f64, 100.0 * lo, 100.0 * hi)
}

/// Two models' answers to the same questions, counted pair by pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paired {
    /// Right for both, the first only, the second only, neither.
    pub both: usize,
    pub first_only: usize,
    pub second_only: usize,
    pub neither: usize,
}

/// What a paired comparison lets one say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The second is better: the difference's interval is above 0.
    Better,
    /// The second is worse: the interval is below 0.
    Worse,
    /// The interval holds 0.
    Unclear,
}

impl Paired {
    /// From each question's right/wrong for the first and the second model
    /// (the shorter list decides how many are paired).
    pub fn of(first: impl IntoIterator<Item = bool>, second: impl IntoIterator<Item = bool>) -> Self {
        let mut p = Paired::default();
        for (a, b) in first.into_iter().zip(second) {
            match (a, b) {
                (true, true) => p.both += 1,
                (true, false) => p.first_only += 1,
                (false, true) => p.second_only += 1,
                (false, false) => p.neither += 1,
            }
        }
        p
    }

    pub fn n(&self) -> usize {
        self.both + self.first_only + self.second_only + self.neither
    }

    /// The second's accuracy minus the first's, with Newcombe's 95 % interval.
    pub fn difference(&self) -> (f64, f64, f64) {
        let n = self.n();
        if n == 0 {
            return (0.0, -1.0, 1.0);
        }
        let (a, b, c, d) = (self.both as f64, self.first_only as f64, self.second_only as f64, self.neither as f64);
        let nf = n as f64;
        let (p1, p2) = ((a + b) / nf, (a + c) / nf);
        let (l1, u1) = wilson(self.both + self.first_only, n);
        let (l2, u2) = wilson(self.both + self.second_only, n);
        let denominator = ((a + b) * (c + d) * (a + c) * (b + d)).sqrt();
        // The correlation of the two answers, with Newcombe's continuity correction.
        let phi = if denominator == 0.0 {
            0.0
        } else if a * d > b * c {
            (a * d - b * c - nf / 2.0).max(0.0) / denominator
        } else {
            (a * d - b * c) / denominator
        };
        let delta = p2 - p1;
        let below = ((p2 - l2).powi(2) - 2.0 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1).powi(2)).max(0.0).sqrt();
        let above = ((u2 - p2).powi(2) - 2.0 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1).powi(2)).max(0.0).sqrt();
        (delta, (delta - below).max(-1.0), (delta + above).min(1.0))
    }

    /// McNemar's exact two-sided p-value: the chance of a split at least this
    /// uneven of the questions only one model got, were both equally good.
    pub fn p_value(&self) -> f64 {
        let (k, m) = (self.first_only.min(self.second_only), self.first_only + self.second_only);
        if m == 0 {
            return 1.0;
        }
        // P(X ≤ k) for X ~ Binomial(m, 1/2), summed in logs for large m.
        let ln_half_m = -(m as f64) * std::f64::consts::LN_2;
        let mut ln_choose = 0.0;
        let mut tail = 0.0;
        for i in 0..=k {
            if i > 0 {
                ln_choose += ((m - i + 1) as f64).ln() - (i as f64).ln();
            }
            tail += (ln_choose + ln_half_m).exp();
        }
        (2.0 * tail).min(1.0)
    }

    /// Better or worse only when both agree: the difference's interval
    /// leaves out 0 and McNemar's exact test gives p < 0.05. (Newcombe's
    /// interval alone calls 2 of 2 against 0 of 2 a gain, p = 0.5.)
    pub fn verdict(&self) -> Verdict {
        let (_, lo, hi) = self.difference();
        let significant = self.p_value() < 0.05;
        if lo > 0.0 && significant {
            Verdict::Better
        } else if hi < 0.0 && significant {
            Verdict::Worse
        } else {
            Verdict::Unclear
        }
    }

    /// The difference in points with its interval and n:
    /// "+12.0 points (95 % CI +5.1 to +18.6, n = 200; fixed 30, broke 6)".
    pub fn describe(&self) -> String {
        let (d, lo, hi) = self.difference();
        format!("{:+.1} points (95 % CI {:+.1} to {:+.1}, n = {}; fixed {}, broke {})", 100.0 * d, 100.0 * lo, 100.0 * hi, self.n(), self.second_only, self.first_only)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857, Table I: 81 of 263, 15 of 148, 0 of 20, 1 of 29.
        for (k, n, lo, hi) in [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)] {
            let (l, h) = wilson(k, n);
            assert!(close(l, lo) && close(h, hi), "{k}/{n}: {l:.4}–{h:.4}, want {lo}–{hi}");
        }
        assert_eq!(wilson(0, 0), (0.0, 1.0));
        let (l, h) = wilson(200, 200);
        assert!(h == 1.0 && l > 0.98 && l < 0.99, "{l}");
        // One question in 25 moves the share by 4 points; the interval is far wider.
        let (l, h) = wilson(20, 25);
        assert!(h - l > 0.3, "{l}–{h}");
    }

    #[test]
    fn newcombe_paired_difference_matches_a_published_example() {
        // Fagerland, Lydersen and Laake, "Statistical Analysis of Contingency
        // Tables" (2017), ch. 8: 59 both, 6 first only, 16 second only, 80
        // neither; the square-and-add interval for first − second is −0.0621
        // (−0.1186 to −0.0046).
        let p = Paired { both: 59, first_only: 6, second_only: 16, neither: 80 };
        let (d, lo, hi) = p.difference();
        assert!(close(d, 0.0621) && close(lo, 0.0046) && close(hi, 0.1186), "{d} {lo} {hi}");
        // The interval just leaves out 0, but 16 against 6 has McNemar p = 0.052: no verdict.
        assert!(close(p.p_value(), 0.0525), "{}", p.p_value());
        assert_eq!(p.verdict(), Verdict::Unclear);
        assert_eq!(Paired { both: 59, first_only: 5, second_only: 17, neither: 80 }.verdict(), Verdict::Better);
        // Two of two against none of two: the interval leaves out 0, the test does not.
        let p = Paired { second_only: 2, ..Default::default() };
        assert!(p.difference().1 > 0.0 && p.p_value() == 0.5);
        assert_eq!(p.verdict(), Verdict::Unclear);
        // Nothing discordant in 10: the interval is each margin's Wilson half-width, ±0.2775.
        let p = Paired { neither: 10, ..Default::default() };
        let (d, lo, hi) = p.difference();
        assert!(close(d, 0.0) && close(lo, -0.2775) && close(hi, 0.2775), "{d} {lo} {hi}");
        assert_eq!(p.verdict(), Verdict::Unclear);
    }

    #[test]
    fn mcnemar_exact_p_values() {
        // 12 against 2: 2·P(X ≤ 2 | 14, ½) = 2·(1 + 14 + 91)/16384.
        let p = Paired { first_only: 12, second_only: 2, ..Default::default() };
        assert!(close(p.p_value(), 212.0 / 16384.0), "{}", p.p_value());
        assert_eq!(Paired { both: 5, ..Default::default() }.p_value(), 1.0);
        assert_eq!(Paired { first_only: 3, second_only: 3, ..Default::default() }.p_value(), 1.0);
        // Large counts do not overflow.
        let p = Paired { first_only: 400, second_only: 600, ..Default::default() }.p_value();
        assert!(p > 0.0 && p < 1e-9, "{p}");
    }

    #[test]
    fn a_gain_of_one_question_in_25_is_no_verdict_and_a_large_one_is() {
        let first = [vec![true; 12], vec![false; 13]].concat();
        let mut second = first.clone();
        second[12] = true;
        let p = Paired::of(first.iter().copied(), second.iter().copied());
        assert_eq!((p.n(), p.second_only, p.first_only), (25, 1, 0));
        assert_eq!(p.verdict(), Verdict::Unclear);
        let p = Paired { both: 100, second_only: 40, first_only: 5, neither: 55 };
        assert_eq!(p.verdict(), Verdict::Better);
        assert!(p.describe().starts_with("+17.5 points (95 % CI +"), "{}", p.describe());
        let m = accuracy_metrics("accuracy", 150, 200);
        assert_eq!(m[0], ("accuracy".to_string(), 0.75));
        assert_eq!(m[3], ("accuracy_n".to_string(), 200.0));
        assert!(m[1].1 < 0.75 && m[2].1 > 0.75);
        assert_eq!(with_interval(150, 200), "75.0 % (95 % CI 68.6–80.5 %, n = 200)");
    }
}
