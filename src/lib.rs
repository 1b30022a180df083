//! ReasonLab: build a reasoning language model from scratch, in 30 labs.
//!
//! Everything numeric lives here and compiles natively, so `cargo test` checks
//! it all; the browser page (`web`, wasm32 only) and the CLI are thin shells
//! around the same lab code.

pub mod backend;
pub mod base64;
pub mod data;
pub mod event;
pub mod figure;
pub mod labs;
#[cfg(feature = "engine")]
pub mod models;
pub mod projection;
pub mod rng;
pub mod settings;
pub mod stats;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod web;
