//! Asking the browser about its WebGPU adapter, before burn opens it.
//!
//! Read through `Reflect` so the build needs none of web-sys's unstable WebGPU bindings.

use crate::backend::AdapterInfo;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(target: &JsValue, key: &str) -> String {
    get(target, key).as_string().unwrap_or_default()
}

/// `Err` says in words why WebGPU cannot be used here.
pub async fn adapter_info() -> Result<AdapterInfo, String> {
    let navigator = get(&js_sys::global(), "navigator");
    let gpu = get(&navigator, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser exposes no navigator.gpu".into());
    }
    let request: Function = get(&gpu, "requestAdapter")
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is missing".to_string())?;
    let promise: Promise = request
        .call0(&gpu)
        .map_err(|e| format!("requestAdapter threw {e:?}"))?
        .dyn_into()
        .map_err(|_| "requestAdapter returned no promise".to_string())?;
    let adapter = JsFuture::from(promise).await.map_err(|e| format!("the adapter request failed: {e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("no WebGPU adapter was found".into());
    }
    let info = get(&adapter, "info");
    let flag = |v: JsValue| v.as_bool().unwrap_or(false);
    Ok(AdapterInfo {
        vendor: text(&info, "vendor"),
        architecture: text(&info, "architecture"),
        device: text(&info, "device"),
        description: text(&info, "description"),
        is_fallback: flag(get(&info, "isFallbackAdapter")) || flag(get(&adapter, "isFallbackAdapter")),
    })
}
