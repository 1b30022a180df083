//! Fetches a lab's data files, in the worker or the page, reporting progress as it streams.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

/// Downloads `data/<name>`; `progress(received, total)` is called as bytes arrive
/// (`total` is 0 when the server does not say). Errors name the file.
pub async fn fetch_bytes(name: &str, mut progress: impl FnMut(u64, u64)) -> Result<Vec<u8>, String> {
    let url = format!("data/{name}");
    let fail = |why: String| format!("Could not load the data file {url}: {why}");
    // The worker's and the page's `fetch` alike.
    let global = js_sys::global();
    let fetch: js_sys::Function = js_sys::Reflect::get(&global, &"fetch".into()).map_err(|e| fail(format!("{e:?}")))?.unchecked_into();
    let request = fetch.call1(&global, &url.as_str().into()).map_err(|e| fail(format!("{e:?}")))?;
    let response = JsFuture::from(js_sys::Promise::from(request)).await.map_err(|e| fail(format!("{e:?}")))?;
    let response: Response = response.unchecked_into();
    if !response.ok() {
        return Err(fail(format!("the server answered {} {}", response.status(), response.status_text())));
    }
    let total: u64 = response.headers().get("content-length").ok().flatten().and_then(|v| v.parse().ok()).unwrap_or(0);
    let body = response.body().ok_or_else(|| fail("the response has no body".into()))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total as usize);
    progress(0, total);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| fail(format!("{e:?}")))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).map(|d| d.is_truthy()).unwrap_or(true);
        if done {
            break;
        }
        let value: Uint8Array = js_sys::Reflect::get(&chunk, &"value".into()).map_err(|e| fail(format!("{e:?}")))?.unchecked_into();
        let start = bytes.len();
        bytes.resize(start + value.length() as usize, 0);
        value.copy_to(&mut bytes[start..]);
        progress(bytes.len() as u64, total);
    }
    Ok(bytes)
}
