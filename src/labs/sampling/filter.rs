//! How a next token is drawn from a model's logits: temperature, then top-k,
//! then top-p (nucleus), then a draw from what is kept, renormalised. Pure
//! Rust on one row of logits, so the cut-offs are tested exactly; week 4's
//! labs sample through it too.

use crate::rng::Rng;

/// The knobs of one way of sampling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Strategy {
    /// Divides the logits; 0 means greedy (always the most likely token).
    pub temperature: f64,
    /// Keep the k most likely tokens; 0 keeps all.
    pub top_k: usize,
    /// Keep the smallest set whose probability reaches p; 1 keeps all.
    pub top_p: f64,
}

impl Strategy {
    pub const GREEDY: Strategy = Strategy { temperature: 0.0, top_k: 0, top_p: 1.0 };

    pub fn temperature(t: f64) -> Self {
        Strategy { temperature: t, top_k: 0, top_p: 1.0 }
    }

    /// A name for tables and captions: "greedy", "T 0.8, top-k 10, top-p 0.9".
    pub fn describe(&self) -> String {
        if self.temperature <= 0.0 {
            return "greedy".into();
        }
        let mut parts = vec![format!("T {}", self.temperature)];
        if self.top_k > 0 {
            parts.push(format!("top-k {}", self.top_k));
        }
        if self.top_p < 1.0 {
            parts.push(format!("top-p {}", self.top_p));
        }
        parts.join(", ")
    }
}

/// One draw, with everything the page shows about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Draw {
    /// softmax(logits / T) over the whole vocabulary, before any cut (greedy: T = 1).
    pub probs: Vec<f32>,
    /// Token ids by falling probability (ties: the lower id first): the order
    /// in which the cut-offs keep tokens.
    pub order: Vec<usize>,
    /// How many of `order` survive top-k and top-p.
    pub kept: usize,
    /// The probability mass (of `probs`) the kept tokens hold.
    pub kept_mass: f32,
    pub token: usize,
}

/// softmax(logits / t), in f64 for exact sums, returned as f32.
pub fn softmax(logits: &[f32], t: f64) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let e: Vec<f64> = logits.iter().map(|&l| ((l as f64 - max) / t).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| (v / sum) as f32).collect()
}

/// Token ids by falling probability; equal probabilities keep id order, so a
/// tie at a cut-off is broken the same way every time.
pub fn ranked(probs: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probs.len()).collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    order
}

/// How many of the ranked tokens survive: at most `top_k` (0: all), then the
/// fewest whose mass reaches `top_p` (always at least one). Summed in f64 with
/// a 1e-6 allowance, so ten tokens of 0.1 reach p = 0.3 at exactly three.
pub fn keep_count(probs: &[f32], order: &[usize], top_k: usize, top_p: f64) -> usize {
    let k = if top_k == 0 { order.len() } else { top_k.min(order.len()) };
    if top_p >= 1.0 {
        return k.max(1);
    }
    // Top-p acts on what top-k kept, renormalised (the order Hugging Face uses).
    let mass: f64 = order[..k].iter().map(|&i| probs[i] as f64).sum();
    let mut sum = 0.0;
    for (n, &i) in order[..k].iter().enumerate() {
        sum += probs[i] as f64 / mass;
        if sum + 1e-6 >= top_p {
            return n + 1;
        }
    }
    k.max(1)
}

/// Draws a token from `logits` with `strategy`. Greedy takes the first of the
/// ranking and uses no randomness; otherwise one uniform number is drawn.
pub fn draw(logits: &[f32], strategy: Strategy, rng: &mut Rng) -> Draw {
    let greedy = strategy.temperature <= 0.0;
    let probs = softmax(logits, if greedy { 1.0 } else { strategy.temperature });
    let order = ranked(&probs);
    let kept = if greedy { 1 } else { keep_count(&probs, &order, strategy.top_k, strategy.top_p) };
    let mass: f64 = order[..kept].iter().map(|&i| probs[i] as f64).sum();
    let token = if greedy {
        order[0]
    } else {
        let mut r = rng.uniform() as f64 * mass;
        let mut pick = order[kept - 1];
        for &i in &order[..kept] {
            r -= probs[i] as f64;
            if r <= 0.0 {
                pick = i;
                break;
            }
        }
        pick
    };
    Draw { probs, order, kept, kept_mass: mass as f32, token }
}

/// Distinct bigrams of tokens over all bigrams: 1 when no pair repeats, low
/// when a sample loops.
pub fn distinct_2<T: Ord + Clone>(tokens: &[T]) -> f64 {
    if tokens.len() < 2 {
        return 0.0;
    }
    let pairs: std::collections::BTreeSet<(T, T)> = tokens.windows(2).map(|w| (w[0].clone(), w[1].clone())).collect();
    pairs.len() as f64 / (tokens.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probs_to_logits(p: &[f32]) -> Vec<f32> {
        p.iter().map(|v| v.ln()).collect()
    }

    #[test]
    fn top_k_keeps_exactly_k_and_breaks_ties_by_id() {
        let p = [0.1, 0.3, 0.2, 0.2, 0.2];
        let order = ranked(&p);
        assert_eq!(order, vec![1, 2, 3, 4, 0]);
        for k in 1..=5 {
            assert_eq!(keep_count(&p, &order, k, 1.0), k);
        }
        assert_eq!(keep_count(&p, &order, 0, 1.0), 5, "0 keeps all");
        assert_eq!(keep_count(&p, &order, 9, 1.0), 5, "k beyond the vocabulary keeps all");
        // Four-way tie: top-2 keeps the two lowest ids of the tie.
        let tie = [0.25f32; 4];
        assert_eq!(&ranked(&tie)[..2], &[0, 1]);
        assert_eq!(keep_count(&tie, &ranked(&tie), 2, 1.0), 2);
    }

    #[test]
    fn top_p_keeps_the_smallest_set_that_reaches_p() {
        let p = [0.5, 0.3, 0.15, 0.05];
        let order = ranked(&p);
        assert_eq!(keep_count(&p, &order, 0, 0.5), 1, "0.5 alone reaches 0.5");
        assert_eq!(keep_count(&p, &order, 0, 0.51), 2);
        assert_eq!(keep_count(&p, &order, 0, 0.8), 2, "0.5 + 0.3 reaches 0.8 exactly");
        assert_eq!(keep_count(&p, &order, 0, 0.81), 3);
        assert_eq!(keep_count(&p, &order, 0, 0.99), 4);
        assert_eq!(keep_count(&p, &order, 0, 0.01), 1, "never fewer than one");
        // Ten equal tokens: p = 0.3 keeps exactly three, despite float sums.
        let ten = [0.1f32; 10];
        assert_eq!(keep_count(&ten, &ranked(&ten), 0, 0.3), 3);
        assert_eq!(keep_count(&ten, &ranked(&ten), 0, 0.31), 4);
        // Ties at the boundary: the size is fixed; which ones, by id.
        let tie = [0.2, 0.4, 0.2, 0.2];
        assert_eq!(keep_count(&tie, &ranked(&tie), 0, 0.6), 2);
        assert_eq!(&ranked(&tie)[..2], &[1, 0]);
    }

    #[test]
    fn top_p_applies_to_what_top_k_kept() {
        let p = [0.4, 0.3, 0.2, 0.1];
        let order = ranked(&p);
        // Top-2 leaves 0.4 and 0.3, renormalised to 0.571 and 0.429: p = 0.5 keeps one.
        assert_eq!(keep_count(&p, &order, 2, 0.5), 1);
        assert_eq!(keep_count(&p, &order, 2, 0.6), 2);
    }

    #[test]
    fn draws_come_only_from_the_kept_set_in_proportion() {
        let logits = probs_to_logits(&[0.4, 0.3, 0.2, 0.1]);
        let mut rng = Rng::new(1);
        let strategy = Strategy { temperature: 1.0, top_k: 0, top_p: 0.7 };
        let mut counts = [0usize; 4];
        for _ in 0..20_000 {
            let d = draw(&logits, strategy, &mut rng);
            assert_eq!(d.kept, 2);
            assert!((d.kept_mass - 0.7).abs() < 1e-6);
            counts[d.token] += 1;
        }
        assert_eq!(counts[2] + counts[3], 0, "cut tokens are never drawn");
        let share = counts[0] as f64 / 20_000.0;
        assert!((share - 0.4 / 0.7).abs() < 0.015, "renormalised share {share}");
    }

    #[test]
    fn greedy_takes_the_top_token_and_temperature_flattens() {
        let logits = [1.0, 3.0, 2.0];
        let mut rng = Rng::new(2);
        assert_eq!(draw(&logits, Strategy::GREEDY, &mut rng).token, 1);
        let hot = softmax(&logits, 10.0);
        let cold = softmax(&logits, 0.1);
        assert!(hot[1] < 0.4 && cold[1] > 0.99);
        assert!((hot.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // Same seed, same draws.
        let s = Strategy::temperature(1.0);
        let a: Vec<usize> = (0..50).scan(Rng::new(9), |r, _| Some(draw(&logits, s, r).token)).collect();
        let b: Vec<usize> = (0..50).scan(Rng::new(9), |r, _| Some(draw(&logits, s, r).token)).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn distinct_2_counts_repeated_pairs() {
        assert_eq!(distinct_2(&[1, 2, 3, 4]), 1.0);
        assert_eq!(distinct_2(&[1, 2, 1, 2, 1]), 0.5);
        assert_eq!(distinct_2(&[7]), 0.0);
        assert_eq!(Strategy { temperature: 0.8, top_k: 10, top_p: 0.9 }.describe(), "T 0.8, top-k 10, top-p 0.9");
    }
}
