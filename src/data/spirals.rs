//! Interleaved 2-D spirals, one arm per class: the classic toy set that no
//! straight line can split, small enough to check every gradient by hand.

use crate::rng::Rng;

/// `per_class` points on each of `classes` arms, with Gaussian `noise` on the
/// angle. Points lie in [-1, 1]²; labels are the arm index.
pub fn spirals(per_class: usize, classes: usize, noise: f32, seed: u64) -> (Vec<[f32; 2]>, Vec<u8>) {
    let mut rng = Rng::new(seed ^ 0x5917);
    let mut points = Vec::with_capacity(per_class * classes);
    let mut labels = Vec::with_capacity(per_class * classes);
    for c in 0..classes {
        for i in 0..per_class {
            let r = i as f32 / per_class as f32; // radius 0 → 1
            let theta = c as f32 * std::f32::consts::TAU / classes as f32 + 4.0 * r + noise * rng.normal();
            points.push([r * theta.cos(), r * theta.sin()]);
            labels.push(c as u8);
        }
    }
    (points, labels)
}

/// XOR as four Gaussian blobs at the corners of [-1, 1]²: class 1 where x·y < 0.
pub fn xor_blobs(per_corner: usize, noise: f32, seed: u64) -> (Vec<[f32; 2]>, Vec<u8>) {
    let mut rng = Rng::new(seed ^ 0x0C0B);
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for (cx, cy) in [(-0.6f32, -0.6f32), (-0.6, 0.6), (0.6, -0.6), (0.6, 0.6)] {
        for _ in 0..per_corner {
            points.push([cx + noise * rng.normal(), cy + noise * rng.normal()]);
            labels.push((cx * cy < 0.0) as u8);
        }
    }
    (points, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spirals_are_seeded_balanced_and_bounded() {
        let (p, l) = spirals(50, 3, 0.1, 1);
        assert_eq!((p.len(), l.len()), (150, 150));
        assert_eq!(spirals(50, 3, 0.1, 1).0, p);
        assert_ne!(spirals(50, 3, 0.1, 2).0, p);
        assert!((0..3).all(|c| l.iter().filter(|&&x| x == c).count() == 50));
        assert!(p.iter().all(|[x, y]| x.abs() <= 1.0 && y.abs() <= 1.0));
    }

    #[test]
    fn xor_blobs_label_opposite_corners_alike() {
        let (p, l) = xor_blobs(10, 0.0, 1);
        assert_eq!(l.iter().filter(|&&x| x == 1).count(), 20);
        assert!(p.iter().zip(&l).all(|([x, y], c)| (x * y < 0.0) == (*c == 1)));
    }
}
