//! A tiny seeded RNG (SplitMix64) used for parameter initialisation and data.
//!
//! Initial weights are drawn on the host rather than by the backend, so that the
//! same seed gives the same starting model on every backend: a share link then
//! means the same experiment whether it runs on WebGPU or on the CPU.

#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Mix the seed once so that small seeds (0, 1, 2) do not start alike.
        let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        rng.next_u64();
        rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [-a, a).
    pub fn symmetric(&mut self, a: f32) -> f32 {
        (self.uniform() * 2.0 - 1.0) * a
    }

    /// A standard normal sample (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let u1 = (self.uniform() as f64).max(1e-12);
        let u2 = self.uniform() as f64;
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }

    /// `n` values from N(0, std²): GPT-2's initialisation, with std = 0.02.
    pub fn normal_vec(&mut self, n: usize, std: f32) -> Vec<f32> {
        (0..n).map(|_| self.normal() * std).collect()
    }

    /// A whole number in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `n` values uniform in [-a, a): the usual fan-in initialisation.
    pub fn symmetric_vec(&mut self, n: usize, a: f32) -> Vec<f32> {
        (0..n).map(|_| self.symmetric(a)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_range() {
        let a: Vec<f32> = { let mut r = Rng::new(7); (0..100).map(|_| r.uniform()).collect() };
        let b: Vec<f32> = { let mut r = Rng::new(7); (0..100).map(|_| r.uniform()).collect() };
        let c: Vec<f32> = { let mut r = Rng::new(8); (0..100).map(|_| r.uniform()).collect() };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|v| (0.0..1.0).contains(v)));
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut r = Rng::new(1);
        let xs = r.normal_vec(20_000, 1.0);
        let mean = xs.iter().sum::<f32>() / xs.len() as f32;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / xs.len() as f32;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
