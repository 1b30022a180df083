//! The Web Worker's module: owns the device and the lab, and trains off the page's thread.

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    reasonlab::web::start_module(reasonlab::web::worker::start);
}
