//! The model store on the page: trained models kept in IndexedDB (listed with
//! name, size and date; used, exported, deleted; imported from a file), and
//! the last checkpoint of a run, which a reload resumes from.

use super::dom::{add, clear, el};
use super::store::{self, CHECKPOINTS, MODELS};
use crate::event::ModelInfo;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

/// How often a run is checkpointed while it trains (also at each pause): at
/// most this much training is lost to a reload or a closed tab.
pub const CHECKPOINT_SECONDS: f64 = 30.0;

/// A model as IndexedDB keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredModel {
    pub hash: String,
    pub name: String,
    pub lab: String,
    /// Milliseconds since 1970, when it was kept.
    pub date: f64,
    /// The architecture as JSON (what "config" exports).
    pub config: String,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

impl StoredModel {
    pub fn new(info: &ModelInfo, bytes: Vec<u8>) -> Self {
        StoredModel { hash: info.hash.clone(), name: info.name.clone(), lab: info.lab.clone(), date: js_sys::Date::now(), config: info.config.clone(), bytes }
    }
}

/// A run's last checkpoint: its model, where it was, and its curves so far.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredCheckpoint {
    /// The run's lab and settings (its link without `run`).
    pub key: String,
    pub step: usize,
    pub total: usize,
    pub series: Vec<(String, Vec<(u32, f32)>)>,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    super::to_js(value)
}

fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| format!("a stored record does not read: {e}"))
}

pub async fn keep(model: &StoredModel) -> Result<(), String> {
    // A browser may evict a site's storage when space runs short, unless the
    // site asked to keep it: asked when the first model is kept.
    let _ = call_storage("persist").await;
    store::put(MODELS, &to_js(model)).await
}

/// `navigator.storage.<method>()`, awaited; `None` where there is no such API.
async fn call_storage(method: &str) -> Option<JsValue> {
    let storage = js_sys::Reflect::get(&super::dom::window().navigator(), &"storage".into()).ok().filter(|s| !s.is_undefined())?;
    let f: js_sys::Function = js_sys::Reflect::get(&storage, &method.into()).ok()?.dyn_into().ok()?;
    let promise: js_sys::Promise = f.call0(&storage).ok()?.dyn_into().ok()?;
    wasm_bindgen_futures::JsFuture::from(promise).await.ok()
}

/// The space the site uses, the browser's quota for it, and whether the
/// browser promised to keep it, under the model list.
pub fn show_storage(ui: &ModelsUi) {
    let line = ui.storage.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let Some(estimate) = call_storage("estimate").await else {
            line.set_text_content(Some("This browser does not say how much storage the page may use."));
            return;
        };
        let number = |k: &str| js_sys::Reflect::get(&estimate, &k.into()).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
        let kept = call_storage("persisted").await.is_some_and(|p| p.is_truthy());
        let promise = if kept { "kept until you delete it" } else { "the browser may clear it when space runs short (it is asked to keep it when a model is kept)" };
        line.set_text_content(Some(&format!("Storage: this page uses {} of the {} the browser allows it (models, checkpoints and the offline copy); {promise}.", size_of(number("usage")), size_of(number("quota")))));
    });
}

pub async fn find(hash: &str) -> Result<Option<StoredModel>, String> {
    store::get(MODELS, hash).await?.map(from_js).transpose()
}

/// Every kept model, newest first.
pub async fn list() -> Result<Vec<StoredModel>, String> {
    let mut all: Vec<StoredModel> = store::all(MODELS).await?.into_iter().filter_map(|v| from_js(v).ok()).collect();
    all.sort_by(|a, b| b.date.total_cmp(&a.date));
    Ok(all)
}

pub async fn forget(hash: &str) -> Result<(), String> {
    store::delete(MODELS, hash).await
}

pub async fn keep_checkpoint(c: &StoredCheckpoint) -> Result<(), String> {
    store::put(CHECKPOINTS, &to_js(c)).await
}

pub async fn checkpoint(key: &str) -> Result<Option<StoredCheckpoint>, String> {
    store::get(CHECKPOINTS, key).await?.map(from_js).transpose()
}

pub async fn forget_checkpoint(key: &str) -> Result<(), String> {
    store::delete(CHECKPOINTS, key).await
}

/// The panel of a lab that trains or takes a model.
pub struct ModelsUi {
    pub rows: Element,
    pub import: Element,
    pub status: Element,
    /// The space used and the browser's quota.
    pub storage: Element,
}

pub fn build(main: &Element) -> ModelsUi {
    let section = add(main, el("section", &[("class", "models"), ("aria-label", "Models kept in this browser")], ""));
    add(&section, el("h3", &[], "Models kept in this browser"));
    add(&section, el("p", &[("data-checkpoints", "")], &format!("A finished run keeps its model here. While a run trains, a checkpoint is kept every {CHECKPOINT_SECONDS:.0} seconds and at each pause: reload the page, or close the tab and come back, and the run resumes from it (at most {CHECKPOINT_SECONDS:.0} seconds of training lost).")));
    let table = add(&section, el("table", &[("data-models", "")], ""));
    let head = add(&table, el("thead", &[], ""));
    let tr = add(&head, el("tr", &[], ""));
    for h in ["model", "size", "kept", ""] {
        add(&tr, el("th", &[("scope", "col")], h));
    }
    let rows = add(&table, el("tbody", &[], ""));
    let label = add(&section, el("label", &[("title", "A .safetensors file exported from this page or saved by `reasonlab run gpt --save`.")], "Import a model file "));
    let import = add(&label, el("input", &[("type", "file"), ("accept", ".safetensors"), ("data-model-import", "")], ""));
    let status = add(&section, el("p", &[("class", "upload"), ("data-model-status", ""), ("role", "status")], ""));
    let storage = add(&section, el("p", &[("class", "storage"), ("data-storage", "")], ""));
    ModelsUi { rows, import, status, storage }
}

/// "1.0 MB", "312 kB", "8.2 GB".
pub fn size(bytes: usize) -> String {
    size_of(bytes as f64)
}

/// `size` of a count past wasm32's usize (a browser's quota may pass 4 GB).
fn size_of(b: f64) -> String {
    if b >= 1e9 { format!("{:.1} GB", b / 1e9) } else if b >= 1e6 { format!("{:.1} MB", b / 1e6) } else { format!("{:.0} kB", b / 1e3) }
}

/// Which models a lab sets beside its first, and how the list offers them.
pub enum Beside {
    /// None: the lab takes one model.
    Nothing,
    /// Day 25's Model B (`model_b`): a "Use as B" button.
    B(String),
    /// Day 29's list (`models`, hashes separated by commas): Add and Remove.
    Many(Vec<String>),
}

impl Beside {
    pub fn hashes(&self) -> Vec<String> {
        match self {
            Beside::Nothing => Vec::new(),
            Beside::B(h) if h.is_empty() => Vec::new(),
            Beside::B(h) => vec![h.clone()],
            Beside::Many(list) => list.clone(),
        }
    }
}

/// Lists the models; the one `current` names is marked, and those set
/// beside it (Model B: a "Use as B" button; a comparison's list: Add or
/// Remove). Each row's buttons carry its hash and what they do.
pub fn fill(ui: &ModelsUi, models: &[StoredModel], current: &str, beside: &Beside) {
    clear(&ui.rows);
    show_storage(ui);
    if models.is_empty() {
        let tr = add(&ui.rows, el("tr", &[], ""));
        add(&tr, el("td", &[("colspan", "4")], "None yet: train one (Day 18), or import a file."));
    }
    let others = beside.hashes();
    for m in models {
        let tr = add(&ui.rows, el("tr", &[("data-model", &m.hash)], ""));
        let compared = others.contains(&m.hash);
        let name = match (m.hash == current, compared, beside) {
            (true, _, _) => format!("{} (in use)", m.name),
            (_, true, Beside::B(_)) => format!("{} (in use as B)", m.name),
            (_, true, _) => format!("{} (compared)", m.name),
            _ => m.name.clone(),
        };
        add(&tr, el("th", &[("scope", "row"), ("title", &format!("content hash {}", m.hash))], &name));
        add(&tr, el("td", &[], &size(m.bytes.len())));
        let date = js_sys::Date::new(&JsValue::from_f64(m.date));
        add(&tr, el("td", &[], &String::from(date.to_locale_string("en-GB", &JsValue::UNDEFINED))));
        let cell = add(&tr, el("td", &[], ""));
        let second = match beside {
            Beside::Nothing => None,
            Beside::B(_) => Some(("use-b", "Use as B")),
            Beside::Many(_) if compared => Some(("remove", "Remove")),
            Beside::Many(_) => Some(("add", "Add")),
        };
        let actions = [Some(("use", "Use")), second, Some(("export", "Export .safetensors")), Some(("config", "Config .json")), Some(("delete", "Delete"))];
        for (action, label) in actions.into_iter().flatten() {
            add(&cell, el("button", &[("type", "button"), ("data-model-action", action), ("data-hash", &m.hash)], label));
        }
    }
}

/// Starts the download of `bytes` as `name`.
pub fn download(name: &str, bytes: &[u8], mime: &str) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let a = el("a", &[("href", &url), ("download", name)], "");
    if let Some(body) = super::dom::document().body() {
        let _ = body.append_child(&a);
        a.unchecked_ref::<HtmlElement>().click();
        let _ = body.remove_child(&a);
    }
    // Revoked a minute later: revoked at once, the download may not start.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = super::dom::window().set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
}

/// A file name from a model's name: "gpt-shakespeare-2x96-step-1200".
pub fn file_stem(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if c == '×' {
            out.push('x');
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
