//! The browser side (wasm32 only): the page and the worker that trains.

pub mod app;
pub mod charts;
pub mod dom;
pub mod gpu;
pub mod page;
pub mod worker;

/// Plain JS objects both ways, so messages are readable in devtools.
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> wasm_bindgen::JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(wasm_bindgen::JsValue::NULL)
}
