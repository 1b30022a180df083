//! Principal component analysis: the directions of greatest variance, found as
//! the top eigenvectors of the covariance matrix (cyclic Jacobi rotations, exact
//! for the few hundred dimensions the labs use).

/// The result: each point's coordinates on the first `k` components, and the
/// share of the total variance each component explains.
pub struct Pca {
    pub coords: Vec<Vec<f64>>,
    pub explained: Vec<f64>,
    pub components: Vec<Vec<f64>>,
}

/// `points` are rows of equal length; `k` ≤ that length.
pub fn pca(points: &[Vec<f32>], k: usize) -> Pca {
    let n = points.len();
    let d = points.first().map_or(0, Vec::len);
    if n == 0 || d == 0 {
        return Pca { coords: vec![vec![0.0; k]; n], explained: vec![0.0; k], components: vec![vec![0.0; d]; k] };
    }
    let mean: Vec<f64> = (0..d).map(|j| points.iter().map(|p| p[j] as f64).sum::<f64>() / n as f64).collect();
    let mut cov = vec![vec![0.0f64; d]; d];
    for p in points {
        let c: Vec<f64> = (0..d).map(|j| p[j] as f64 - mean[j]).collect();
        for a in 0..d {
            for b in a..d {
                cov[a][b] += c[a] * c[b];
            }
        }
    }
    for a in 0..d {
        for b in a..d {
            cov[a][b] /= (n.max(2) - 1) as f64;
            cov[b][a] = cov[a][b];
        }
    }
    let (values, vectors) = jacobi_eigen(cov);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum::<f64>().max(1e-300);
    let k = k.min(d);
    let components: Vec<Vec<f64>> = order[..k].iter().map(|&i| (0..d).map(|r| vectors[r][i]).collect()).collect();
    let coords = points
        .iter()
        .map(|p| components.iter().map(|c| (0..d).map(|j| (p[j] as f64 - mean[j]) * c[j]).sum()).collect())
        .collect();
    Pca { coords, explained: order[..k].iter().map(|&i| values[i].max(0.0) / total).collect(), components }
}

/// Eigenvalues and eigenvectors (as columns) of a symmetric matrix.
fn jacobi_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = a.len();
    let mut v: Vec<Vec<f64>> = (0..d).map(|i| (0..d).map(|j| (i == j) as u8 as f64).collect()).collect();
    for _sweep in 0..60 {
        let off: f64 = (0..d).flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i][j] * a[i][j]).sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                for k in 0..d {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i][i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn pca_recovers_known_axes() {
        // Points spread 5 along (1, 1, 0)/√2, 1 along (1, −1, 0)/√2 and 0.1 along z.
        let mut rng = Rng::new(4);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let points: Vec<Vec<f32>> = (0..2000)
            .map(|_| {
                let (a, b, c) = (5.0 * rng.normal(), rng.normal(), 0.1 * rng.normal());
                vec![s * (a + b), s * (a - b), c]
            })
            .collect();
        let r = pca(&points, 2);
        let first = &r.components[0];
        assert!((first[0].abs() - s as f64).abs() < 0.02 && (first[1].abs() - s as f64).abs() < 0.02 && first[2].abs() < 0.02, "{first:?}");
        assert!(first[0].signum() == first[1].signum());
        let second = &r.components[1];
        assert!(second[0].signum() != second[1].signum() && second[2].abs() < 0.05, "{second:?}");
        // Variances 25 : 1 : 0.01 → shares ≈ 0.961, 0.038.
        assert!((r.explained[0] - 0.961).abs() < 0.01 && (r.explained[1] - 0.038).abs() < 0.01, "{:?}", r.explained);
    }
}
