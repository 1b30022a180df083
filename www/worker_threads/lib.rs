//! The CPU-only Web Worker with a thread pool: the same trainer as
//! `www/worker_cpu`, built with atomics so that its pool threads (more Web
//! Workers, `www/thread.js`) share its memory. wasm-bindgen runs this start
//! function on the first instance only, not on the pool's.

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    reasonlab::web::start_module(reasonlab::web::worker::start);
}
