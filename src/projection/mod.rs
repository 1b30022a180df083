//! Exact 2-D projections of high-dimensional points, in plain Rust (f64):
//! PCA, and t-SNE for up to a few thousand points.

pub mod pca;
pub mod tsne;
