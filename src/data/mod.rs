//! Datasets, tokenizers and generators. Pure Rust and seeded.

pub mod chars;
pub mod files;
pub mod gates;
pub mod mnist;
pub mod reasoning;
pub mod reviews;
pub mod sequences;
pub mod spirals;
pub mod text;
