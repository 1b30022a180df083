//! Datasets, tokenizers and generators. Pure Rust and seeded.

pub mod gates;
