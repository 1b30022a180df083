//! The browser side (wasm32 only): the page and the worker that trains.

pub mod app;
pub mod charts;
pub mod dom;
pub mod export;
pub mod fetch;
pub mod gpu;
pub mod models;
pub mod offline;
pub mod page;
pub mod progress;
pub mod render;
pub mod sketch;
pub mod store;
#[cfg(feature = "threads")]
pub mod threads;
pub mod upload;
#[cfg(feature = "engine")]
pub mod worker;

extern "C" {
    fn __wasm_call_ctors();
}

/// Entry of a wasm module (page or worker): runs static constructors, then `main`.
///
/// burn registers kernels and types in static constructors. We run them once,
/// here. Referencing them also keeps wasm-ld from wrapping *every* export in a
/// call to them (its "command" mode), which re-ran them on each call from JS
/// and froze the page.
pub fn start_module(main: fn()) {
    // SAFETY: called once, first thing, before any code that relies on the
    // registrations, and never again.
    unsafe { __wasm_call_ctors() };
    main();
}

/// Plain JS objects both ways, so messages are readable in devtools.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> wasm_bindgen::JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(wasm_bindgen::JsValue::NULL)
}
