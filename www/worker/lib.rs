//! The Web Worker's module: owns the device and the lab, and trains off the page's thread.

#[cfg(target_arch = "wasm32")]
extern "C" {
    fn __wasm_call_ctors();
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    // burn registers kernels and types in static constructors. Run them once,
    // here. Referencing them also keeps wasm-ld from wrapping *every* export
    // in a call to them (its "command" mode), which re-ran them on each call
    // from JS and froze the page.
    unsafe { __wasm_call_ctors() };
    reasonlab::web::worker::start();
}
