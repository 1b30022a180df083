//! Day 5: PCA and t-SNE of embeddings while their model trains.

use reasonlab::data::files::DataFiles;
use reasonlab::data::mnist;
use reasonlab::event::Snapshot;
use reasonlab::labs::projection::ProjectionView;
use reasonlab::labs::projection_train::ProjectionLab;
use reasonlab::labs::{self, Training};
use reasonlab::settings::Params;

fn run(pairs: &[(&str, &str)]) -> ((Snapshot, ProjectionView), usize) {
    let schema = labs::schema("projection");
    let mut p = Params::defaults(&schema);
    for (k, v) in pairs {
        p.set(&schema, k, v).unwrap();
    }
    let files = DataFiles::read_dir(&DataFiles::default_dir(), (labs::spec("projection").unwrap().data)(&p).unwrap()).unwrap();
    let mut lab = ProjectionLab::new(&p, &reasonlab::backend::cpu(), &files).unwrap();
    let mut snapshots = 0;
    loop {
        for _ in 0..50 {
            if !lab.is_done() {
                Training::step(&mut lab);
            }
        }
        let snap = pollster::block_on(lab.read()).unwrap();
        snapshots += 1;
        if lab.is_done() {
            return (snap, snapshots);
        }
    }
}

#[test]
fn pca_of_word_vectors_reports_its_explained_variance() {
    let ((snap, view), _) = run(&[("source", "word2vec"), ("method", "pca"), ("points", "40"), ("steps", "300")]);
    assert_eq!(view.points.len(), 40);
    assert_eq!(view.labels[0], "the", "the most frequent word comes first");
    let ev = snap.metric("explained_variance").unwrap();
    assert!(ev > 0.0 && ev <= 1.0, "{ev}");
    assert!(snap.metric("loss").is_some());
}

#[test]
fn tsne_of_mnist_hidden_activations_groups_digits() {
    let ((snap, view), snapshots) = run(&[("source", "mnist"), ("method", "tsne"), ("points", "300"), ("steps", "300"), ("perplexity", "20")]);
    assert!(snapshots > 3);
    assert_eq!(view.points.len(), 300);
    assert!(snap.metric("kl").unwrap().is_finite());
    // Most digits' nearest neighbour on the plane shows the same digit.
    let p = &view.points;
    let same = (0..p.len())
        .filter(|&i| {
            let d = |j: usize| (p[i].0 - p[j].0).powi(2) + (p[i].1 - p[j].1).powi(2);
            let nearest = (0..p.len()).filter(|&j| j != i).min_by(|&a, &b| d(a).total_cmp(&d(b))).unwrap();
            view.groups[nearest] == view.groups[i]
        })
        .count();
    assert!(same as f64 / p.len() as f64 > 0.7, "{same} of {} nearest neighbours share the digit", p.len());
    assert_eq!(view.labels.len(), 300);
    assert!(mnist::CLASSES == 10);
}
