//! The page's module: DOM, controls, URL state and charts. Training happens in the worker module.

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    reasonlab::web::start_module(reasonlab::web::app::start);
}
