//! The browser's IndexedDB, as a few async functions: trained models and
//! run checkpoints outlive the tab here. Every failure (no IndexedDB, a full
//! or refused quota, a private window) comes back as a sentence.

use super::dom;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransactionMode};

const DB: &str = "reasonlab";
const VERSION: u32 = 1;
/// Trained models, keyed by their content hash.
pub const MODELS: &str = "models";
/// The last checkpoint of a run, keyed by its lab and settings.
pub const CHECKPOINTS: &str = "checkpoints";

/// Why a request failed, in words: the DOMException's name and message.
fn describe(e: &JsValue) -> String {
    if let Some(ex) = e.dyn_ref::<web_sys::DomException>() {
        return match ex.name().as_str() {
            "QuotaExceededError" => "the browser's storage for this page is full or was refused".into(),
            name => format!("{name}: {}", ex.message()),
        };
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Waits for a request: its result, or its error in words.
async fn done(req: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = req.clone();
        let on_ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let bad = req.clone();
        let on_err = Closure::once_into_js(move |_: web_sys::Event| {
            let error = bad.error().ok().flatten().map(JsValue::from).unwrap_or_else(|| "the request failed".into());
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        req.set_onsuccess(Some(on_ok.unchecked_ref()));
        req.set_onerror(Some(on_err.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

/// Opens the database, creating its two stores on first use.
async fn open() -> Result<IdbDatabase, String> {
    let factory = dom::window().indexed_db().map_err(|e| describe(&e))?.ok_or("this browser keeps no IndexedDB for the page")?;
    let req = factory.open_with_u32(DB, VERSION).map_err(|e| describe(&e))?;
    let upgrading = req.clone();
    let on_upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        let Ok(db) = upgrading.result().map(|r| r.unchecked_into::<IdbDatabase>()) else { return };
        for (name, key) in [(MODELS, "hash"), (CHECKPOINTS, "key")] {
            let params = IdbObjectStoreParameters::new();
            params.set_key_path(&key.into());
            let _ = db.create_object_store_with_optional_parameters(name, &params);
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    Ok(done(&req).await?.unchecked_into())
}

/// The store `name` in a transaction of its own.
async fn store(name: &str, write: bool) -> Result<web_sys::IdbObjectStore, String> {
    let db = open().await?;
    let mode = if write { IdbTransactionMode::Readwrite } else { IdbTransactionMode::Readonly };
    let tx = db.transaction_with_str_and_mode(name, mode).map_err(|e| describe(&e))?;
    tx.object_store(name).map_err(|e| describe(&e))
}

/// Writes a record (its key is inside it).
pub async fn put(name: &str, record: &JsValue) -> Result<(), String> {
    let req = store(name, true).await?.put(record).map_err(|e| describe(&e))?;
    done(&req).await.map(|_| ())
}

/// The record under `key`, if there is one.
pub async fn get(name: &str, key: &str) -> Result<Option<JsValue>, String> {
    let req = store(name, false).await?.get(&key.into()).map_err(|e| describe(&e))?;
    let value = done(&req).await?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

/// Every record of a store.
pub async fn all(name: &str) -> Result<Vec<JsValue>, String> {
    let req = store(name, false).await?.get_all().map_err(|e| describe(&e))?;
    let value = done(&req).await?;
    Ok(value.dyn_into::<js_sys::Array>().map(|a| a.iter().collect()).unwrap_or_default())
}

pub async fn delete(name: &str, key: &str) -> Result<(), String> {
    let req = store(name, true).await?.delete(&key.into()).map_err(|e| describe(&e))?;
    done(&req).await.map(|_| ())
}
