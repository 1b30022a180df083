//! t-SNE (van der Maaten & Hinton, 2008), exact: O(N²) a step, fine for the
//! ≤ 2,000 points the labs project. Run it a few iterations at a time, so a
//! page can draw the layout as it settles.

use crate::rng::Rng;

pub struct Tsne {
    n: usize,
    /// Symmetric input affinities P (dense N×N, row-major).
    p: Vec<f64>,
    pub y: Vec<[f64; 2]>,
    gains: Vec<[f64; 2]>,
    velocity: Vec<[f64; 2]>,
    pub iteration: usize,
}

/// Squared Euclidean distances between rows.
fn distances(points: &[Vec<f32>]) -> Vec<f64> {
    let n = points.len();
    let mut d = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s: f64 = points[i].iter().zip(&points[j]).map(|(a, b)| ((a - b) as f64).powi(2)).sum();
            d[i * n + j] = s;
            d[j * n + i] = s;
        }
    }
    d
}

impl Tsne {
    /// Finds each point's Gaussian width by bisection so that its neighbour
    /// distribution has the given perplexity, then symmetrises.
    pub fn new(points: &[Vec<f32>], perplexity: f64, seed: u64) -> Self {
        let n = points.len();
        let d = distances(points);
        let target = perplexity.max(1.0).min((n.max(2) - 1) as f64).ln();
        let mut p = vec![0.0; n * n];
        for i in 0..n {
            let (mut lo, mut hi, mut beta) = (0.0f64, f64::INFINITY, 1.0f64);
            let row = &d[i * n..(i + 1) * n];
            let mut probs = vec![0.0; n];
            for _ in 0..64 {
                let mut sum = 0.0;
                for j in (0..n).filter(|&j| j != i) {
                    probs[j] = (-row[j] * beta).exp();
                    sum += probs[j];
                }
                let sum = sum.max(1e-300);
                let entropy = sum.ln() + beta * (0..n).filter(|&j| j != i).map(|j| row[j] * probs[j]).sum::<f64>() / sum;
                probs.iter_mut().for_each(|v| *v /= sum);
                if (entropy - target).abs() < 1e-5 {
                    break;
                }
                if entropy > target {
                    lo = beta;
                    beta = if hi.is_finite() { (beta + hi) / 2.0 } else { beta * 2.0 };
                } else {
                    hi = beta;
                    beta = (beta + lo) / 2.0;
                }
            }
            probs[i] = 0.0;
            p[i * n..(i + 1) * n].copy_from_slice(&probs);
        }
        for i in 0..n {
            for j in i + 1..n {
                let s = ((p[i * n + j] + p[j * n + i]) / (2.0 * n as f64)).max(1e-12);
                p[i * n + j] = s;
                p[j * n + i] = s;
            }
        }
        let mut rng = Rng::new(seed ^ 0x75E);
        let y = (0..n).map(|_| [1e-4 * rng.normal() as f64, 1e-4 * rng.normal() as f64]).collect();
        Self { n, p, y, gains: vec![[1.0; 2]; n], velocity: vec![[0.0; 2]; n], iteration: 0 }
    }

    /// One gradient step (early exaggeration ×12 for the first 100, momentum
    /// 0.5 then 0.8, adaptive gains, learning rate 200). Returns KL(P‖Q).
    pub fn step(&mut self) -> f64 {
        let n = self.n;
        let exaggeration = if self.iteration < 100 { 12.0 } else { 1.0 };
        let momentum = if self.iteration < 250 { 0.5 } else { 0.8 };
        let mut num = vec![0.0; n * n];
        let mut z = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                let dx = self.y[i][0] - self.y[j][0];
                let dy = self.y[i][1] - self.y[j][1];
                let q = 1.0 / (1.0 + dx * dx + dy * dy);
                num[i * n + j] = q;
                num[j * n + i] = q;
                z += 2.0 * q;
            }
        }
        let z = z.max(1e-300);
        let mut kl = 0.0;
        for i in 0..n {
            let mut grad = [0.0; 2];
            for j in (0..n).filter(|&j| j != i) {
                let pij = self.p[i * n + j];
                let qij = (num[i * n + j] / z).max(1e-12);
                kl += pij * (pij / qij).ln();
                let f = 4.0 * (exaggeration * pij - qij) * num[i * n + j];
                grad[0] += f * (self.y[i][0] - self.y[j][0]);
                grad[1] += f * (self.y[i][1] - self.y[j][1]);
            }
            for k in 0..2 {
                let same = (grad[k] > 0.0) == (self.velocity[i][k] > 0.0);
                self.gains[i][k] = if same { (self.gains[i][k] * 0.8).max(0.01) } else { self.gains[i][k] + 0.2 };
                self.velocity[i][k] = momentum * self.velocity[i][k] - 200.0 * self.gains[i][k] * grad[k];
            }
        }
        for i in 0..n {
            self.y[i][0] += self.velocity[i][0];
            self.y[i][1] += self.velocity[i][1];
        }
        let mean = [self.y.iter().map(|p| p[0]).sum::<f64>() / n as f64, self.y.iter().map(|p| p[1]).sum::<f64>() / n as f64];
        self.y.iter_mut().for_each(|p| {
            p[0] -= mean[0];
            p[1] -= mean[1];
        });
        self.iteration += 1;
        kl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsne_separates_well_separated_clusters() {
        // Three tight clusters in 10-D, far apart.
        let mut rng = Rng::new(9);
        let mut points = Vec::new();
        for c in 0..3 {
            for _ in 0..40 {
                points.push((0..10).map(|d| if d == c { 10.0 } else { 0.0 } + 0.3 * rng.normal()).collect::<Vec<f32>>());
            }
        }
        let mut t = Tsne::new(&points, 15.0, 1);
        let mut kl = Vec::new();
        for _ in 0..400 {
            kl.push(t.step());
        }
        assert!(kl[399] < kl[150], "KL falls after early exaggeration: {} → {}", kl[150], kl[399]);
        // Every point's nearest 2-D neighbour is in its own cluster.
        let label = |i: usize| i / 40;
        for i in 0..points.len() {
            let nearest = (0..points.len())
                .filter(|&j| j != i)
                .min_by(|&a, &b| {
                    let d = |j: usize| (t.y[i][0] - t.y[j][0]).powi(2) + (t.y[i][1] - t.y[j][1]).powi(2);
                    d(a).total_cmp(&d(b))
                })
                .unwrap();
            assert_eq!(label(nearest), label(i), "point {i}");
        }
    }
}
