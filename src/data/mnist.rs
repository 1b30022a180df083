//! MNIST: 28×28 grey digits in the IDX format (a big-endian header, then bytes).

#[cfg(feature = "engine")]
use super::files::{gunzip, DataFiles};

pub const SIDE: usize = 28;
pub const PIXELS: usize = SIDE * SIDE;
pub const CLASSES: usize = 10;
pub const TRAIN_SIZE: usize = 60_000;

pub const TRAIN_IMAGES: &str = "mnist/train-images-idx3-ubyte.gz";
pub const TRAIN_LABELS: &str = "mnist/train-labels-idx1-ubyte.gz";
pub const TEST_IMAGES: &str = "mnist/t10k-images-idx3-ubyte.gz";
pub const TEST_LABELS: &str = "mnist/t10k-labels-idx1-ubyte.gz";
pub const FILES: &[&str] = &[TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS];

/// The mean and spread of MNIST's pixels (scaled to 0–1), used to centre inputs.
pub const MEAN: f32 = 0.1307;
pub const STD: f32 = 0.3081;

/// One split: `images` holds `len` rows of PIXELS bytes, row-major.
#[derive(Clone, Debug)]
pub struct Digits {
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Digits {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * PIXELS..(i + 1) * PIXELS]
    }

    /// The rows `indices` as network inputs, centred and scaled: [N·PIXELS].
    pub fn inputs(&self, indices: &[usize]) -> Vec<f32> {
        indices.iter().flat_map(|&i| self.image(i).iter().map(|&p| normalize(p))).collect()
    }
}

pub fn normalize(pixel: u8) -> f32 {
    (pixel as f32 / 255.0 - MEAN) / STD
}

pub struct Mnist {
    pub train: Digits,
    pub test: Digits,
}

#[cfg(feature = "engine")]
impl Mnist {
    pub fn load(files: &DataFiles) -> Result<Self, String> {
        let split = |images: &str, labels: &str| -> Result<Digits, String> {
            let images_bytes = parse_idx(images, &gunzip(images, files.get(images)?)?, 3)?;
            let labels_bytes = parse_idx(labels, &gunzip(labels, files.get(labels)?)?, 1)?;
            if images_bytes.len() != labels_bytes.len() * PIXELS {
                return Err(format!("data/{images} and data/{labels} disagree on the number of digits"));
            }
            if let Some(bad) = labels_bytes.iter().find(|&&l| l as usize >= CLASSES) {
                return Err(format!("data/{labels} has a label {bad}, not a digit"));
            }
            Ok(Digits { images: images_bytes, labels: labels_bytes })
        };
        Ok(Self { train: split(TRAIN_IMAGES, TRAIN_LABELS)?, test: split(TEST_IMAGES, TEST_LABELS)? })
    }
}

/// Checks an IDX header (magic 0x0000_08_NN for unsigned bytes, NN dimensions,
/// then one big-endian u32 per dimension) and returns the body.
pub fn parse_idx(name: &str, bytes: &[u8], dims: usize) -> Result<Vec<u8>, String> {
    let bad = |why: &str| format!("the data file data/{name} is not valid IDX: {why}");
    let header = 4 + 4 * dims;
    if bytes.len() < header {
        return Err(bad("too short"));
    }
    if bytes[0..3] != [0, 0, 8] || bytes[3] as usize != dims {
        return Err(bad("wrong magic number"));
    }
    let sizes: Vec<usize> = (0..dims)
        .map(|d| u32::from_be_bytes(bytes[4 + 4 * d..8 + 4 * d].try_into().expect("4 bytes")) as usize)
        .collect();
    if dims == 3 && (sizes[1], sizes[2]) != (SIDE, SIDE) {
        return Err(bad("images are not 28×28"));
    }
    let body = &bytes[header..];
    if body.len() != sizes.iter().product::<usize>() {
        return Err(bad("its length does not match its header"));
    }
    Ok(body.to_vec())
}

/// Turns a square drawing (`side`², ink 0–1, row-major) into an MNIST-like input:
/// the ink's bounding box scaled to fit 20 × 20 by area averaging, then placed
/// in 28 × 28 with its centre of mass at the centre, as MNIST's digits were made.
/// A blank drawing gives a blank input.
pub fn sketch_to_digit(ink: &[f32], side: usize) -> Vec<f32> {
    let mut out = vec![0.0f32; PIXELS];
    let at = |x: usize, y: usize| ink[y * side + x];
    let inked: Vec<(usize, usize)> = (0..side * side).filter(|&i| ink[i] > 0.05).map(|i| (i % side, i / side)).collect();
    if side == 0 || ink.len() != side * side || inked.is_empty() {
        return out;
    }
    let (x0, x1) = (inked.iter().map(|p| p.0).min().unwrap(), inked.iter().map(|p| p.0).max().unwrap() + 1);
    let (y0, y1) = (inked.iter().map(|p| p.1).min().unwrap(), inked.iter().map(|p| p.1).max().unwrap() + 1);
    let scale = 20.0 / (x1 - x0).max(y1 - y0) as f32; // output pixels per input pixel
    let (w, h) = (((x1 - x0) as f32 * scale).ceil() as usize, ((y1 - y0) as f32 * scale).ceil() as usize);
    // Area-average each output pixel of the w × h box over the input pixels it covers.
    let mut small = vec![0.0f32; w * h];
    let mut weight = vec![0.0f32; w * h];
    for y in y0..y1 {
        for x in x0..x1 {
            let (ox, oy) = (((x - x0) as f32 * scale) as usize, ((y - y0) as f32 * scale) as usize);
            let k = oy.min(h - 1) * w + ox.min(w - 1);
            small[k] += at(x, y);
            weight[k] += 1.0;
        }
    }
    small.iter_mut().zip(&weight).for_each(|(v, n)| *v = if *n > 0.0 { (*v / n).min(1.0) } else { 0.0 });
    let mass: f32 = small.iter().sum();
    let cx = small.iter().enumerate().map(|(i, v)| (i % w) as f32 * v).sum::<f32>() / mass;
    let cy = small.iter().enumerate().map(|(i, v)| (i / w) as f32 * v).sum::<f32>() / mass;
    let (dx, dy) = ((SIDE as f32 / 2.0 - 0.5 - cx).round() as i64, (SIDE as f32 / 2.0 - 0.5 - cy).round() as i64);
    for (i, v) in small.iter().enumerate() {
        let (x, y) = ((i % w) as i64 + dx, (i / w) as i64 + dy);
        if (0..SIDE as i64).contains(&x) && (0..SIDE as i64).contains(&y) {
            out[y as usize * SIDE + x as usize] = *v;
        }
    }
    out
}

#[cfg(test)]
mod sketch_tests {
    use super::*;

    #[test]
    fn a_blank_sketch_is_blank_and_a_stroke_is_centred() {
        assert!(sketch_to_digit(&[0.0; 100 * 100], 100).iter().all(|&v| v == 0.0));
        // A vertical bar in the top-left corner of a 280² pad: a "1".
        let side = 280;
        let mut ink = vec![0.0; side * side];
        for y in 10..150 {
            for x in 20..40 {
                ink[y * side + x] = 1.0;
            }
        }
        let digit = sketch_to_digit(&ink, side);
        let mass: f32 = digit.iter().sum();
        let cx = digit.iter().enumerate().map(|(i, v)| (i % SIDE) as f32 * v).sum::<f32>() / mass;
        let cy = digit.iter().enumerate().map(|(i, v)| (i / SIDE) as f32 * v).sum::<f32>() / mass;
        assert!((cx - 13.5).abs() <= 1.0 && (cy - 13.5).abs() <= 1.0, "centre of mass ({cx}, {cy})");
        let rows = (0..SIDE).filter(|y| (0..SIDE).any(|x| digit[y * SIDE + x] > 0.0)).count();
        assert_eq!(rows, 20, "the stroke's height is scaled to 20 pixels");
        assert!(digit.iter().all(|v| (0.0..=1.0).contains(v)));
    }
}

#[cfg(all(test, feature = "engine"))]
mod tests {
    use super::*;

    fn idx(dims: &[u32], body: &[u8]) -> Vec<u8> {
        let mut out = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            out.extend(d.to_be_bytes());
        }
        out.extend(body);
        out
    }

    #[test]
    fn parses_a_header_and_rejects_bad_files() {
        assert_eq!(parse_idx("l", &idx(&[3], &[1, 2, 3]), 1).unwrap(), vec![1, 2, 3]);
        let err = parse_idx("mnist/x.gz", &idx(&[4], &[1, 2, 3]), 1).unwrap_err();
        assert!(err.contains("data/mnist/x.gz") && err.contains("length"), "{err}");
        assert!(parse_idx("l", &[0, 0, 9, 1, 0, 0, 0, 0], 1).unwrap_err().contains("magic"));
        assert!(parse_idx("l", &[0, 0], 1).unwrap_err().contains("short"));
        assert!(parse_idx("i", &idx(&[1, 27, 28], &[0; 27 * 28]), 3).unwrap_err().contains("28×28"));
    }

    #[test]
    fn missing_and_corrupt_files_are_named() {
        let mut files = DataFiles::default();
        let err = Mnist::load(&files).err().unwrap();
        assert!(err.contains(TRAIN_IMAGES) && err.contains("missing"), "{err}");
        for name in FILES {
            files.insert(name, b"not gzip at all".to_vec());
        }
        let err = Mnist::load(&files).err().unwrap();
        assert!(err.contains(TRAIN_IMAGES) && err.contains("corrupt"), "{err}");
    }

    #[test]
    fn the_shipped_files_hold_60k_and_10k_digits() {
        let files = DataFiles::read_dir(&DataFiles::default_dir(), FILES).unwrap();
        let mnist = Mnist::load(&files).unwrap();
        assert_eq!((mnist.train.len(), mnist.test.len()), (60_000, 10_000));
        assert_eq!(mnist.train.images.len(), 60_000 * PIXELS);
        // Every class appears in the test set, roughly a tenth each.
        let mut counts = [0usize; CLASSES];
        mnist.test.labels.iter().for_each(|&l| counts[l as usize] += 1);
        assert!(counts.iter().all(|&c| (800..1200).contains(&c)), "{counts:?}");
    }
}
