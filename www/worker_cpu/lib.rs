//! The CPU-only Web Worker: the same trainer as `www/worker`, built without wgpu.

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    reasonlab::web::start_module(reasonlab::web::worker::start);
}
