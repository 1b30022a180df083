//! Day 2 learns MNIST on the CPU backend, seeded, and reads a drawn digit.

use reasonlab::data::files::DataFiles;
use reasonlab::data::mnist::{self, Mnist};
use reasonlab::labs::mnist_train::MnistLab;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

fn files() -> DataFiles {
    DataFiles::read_dir(&DataFiles::default_dir(), mnist::FILES).expect("data/mnist is in the repository")
}

fn params(pairs: &[(&str, &str)]) -> Params {
    let schema = labs::schema("mnist");
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    p
}

#[test]
fn a_short_run_passes_90_percent_on_the_full_test_set() {
    let files = files();
    // 12,000 digits once: 188 steps of 64.
    let p = params(&[("hidden", "64"), ("epochs", "1"), ("train_size", "12000"), ("seed", "3")]);
    let mut lab = MnistLab::new(&p, &reasonlab::backend::cpu(), &files).unwrap();
    assert_eq!(lab.total_steps(), 188);
    let mut reports = Vec::new();
    let mut losses = Vec::new();
    while !lab.is_done() {
        for _ in 0..20 {
            if !lab.is_done() {
                Training::step(&mut lab);
            }
        }
        let (snap, view) = pollster::block_on(lab.read()).unwrap();
        losses.extend(snap.series.iter().filter(|s| s.name == "train_loss").flat_map(|s| s.points.iter().map(|p| p.1)));
        reports.extend(view.report);
    }
    let last = reports.last().expect("the test set was scored at the end");
    assert_eq!(last.step, 188);
    assert_eq!(last.confusion.iter().sum::<u32>(), 10_000, "every test digit is scored");
    assert!(last.accuracy >= 0.90, "test accuracy {}", last.accuracy);
    assert!(reports.len() >= 4, "scored several times while training: {}", reports.len());
    let early: f32 = losses[..10].iter().sum::<f32>() / 10.0;
    let late: f32 = losses[losses.len() - 10..].iter().sum::<f32>() / 10.0;
    assert!(late < early / 3.0, "loss fell from {early} to {late}");
    assert!(last.misses.len() == labs::mnist::SHOWN_MISSES && last.misses.iter().all(|m| m.label != m.predicted && m.pixels.len() == mnist::PIXELS));

    // A test digit, drawn as a user would (ink 0–1), is read as its label.
    let data = Mnist::load(&files).unwrap();
    let mut right = 0;
    for i in 0..20 {
        let ink: Vec<f32> = data.test.image(i).iter().map(|&p| p as f32 / 255.0).collect();
        let probs = pollster::block_on(lab.probabilities(&ink)).unwrap();
        assert_eq!(probs.len(), 10);
        assert!((probs.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        let best = probs.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        right += (best == data.test.labels[i] as usize) as usize;
    }
    assert!(right >= 17, "{right} of 20 test digits read right through predict");
    assert!(pollster::block_on(lab.predict(&[0.5; 3])).is_err(), "a wrong-sized drawing is an error, not a panic");
    let figure = pollster::block_on(lab.predict(&vec![0.0; mnist::PIXELS])).unwrap();
    assert_eq!(figure.name, "sketch-probs", "the answer fills the figure beside the pad");
}

#[test]
fn a_missing_data_file_is_named() {
    let mut files = files();
    files.0.remove(mnist::TEST_LABELS);
    let err = labs::start("mnist", &params(&[]), &reasonlab::backend::cpu(), &files).err().unwrap();
    assert!(err.contains("data/mnist/t10k-labels-idx1-ubyte.gz"), "{err}");
}
