//! The course map's offline section. The service worker (www/sw.js) keeps
//! every file the site fetched, the data files included; here the map marks
//! each lab whose data files are all kept, and one button fetches every lab's
//! data (through the service worker, which keeps it) with a progress bar.

use super::dom::{add, el, on, set_text};
use crate::labs::{self, LABS};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Element, HtmlButtonElement, HtmlProgressElement};

/// Adds the section to the course map and marks what is kept already.
pub fn build(nav: &Element) {
    let section = add(nav, el("section", &[("class", "offline"), ("aria-labelledby", "offline-title")], ""));
    add(&section, el("h2", &[("id", "offline-title")], "Offline"));
    let status = add(&section, el("p", &[("class", "offline-status"), ("role", "status")], "Checking what this browser keeps…"));
    let button = add(&section, el("button", &[("type", "button"), ("data-action", "offline-all")], "Keep every lab's data offline"));
    let bar = add(&section, el("progress", &[("max", "1"), ("value", "0"), ("hidden", ""), ("aria-label", "Data kept for offline use")], ""));
    let (s, b) = (status.clone(), bar.clone());
    on(&button, "click", move |_| {
        let (status, bar) = (s.clone(), b.clone());
        spawn_local(async move { fetch_all(&status, &bar).await });
    });
    // The first visit's service worker takes over after the page started;
    // a lab that ran fetched its data through it.
    if let Some(sw) = service_workers() {
        let s = status.clone();
        on(sw.unchecked_ref(), "controllerchange", move |_| refresh(&s));
    }
    let s = status.clone();
    on(super::dom::window().unchecked_ref(), "hashchange", move |_| refresh(&s));
    refresh(&status);
}

/// The page's `navigator.serviceWorker`, where the browser has one.
fn service_workers() -> Option<JsValue> {
    let sw = Reflect::get(&super::dom::window().navigator(), &"serviceWorker".into()).ok()?;
    (!sw.is_undefined()).then_some(sw)
}

/// Whether a service worker serves this page (so what it fetches is kept).
fn kept_here() -> bool {
    service_workers().and_then(|sw| Reflect::get(&sw, &"controller".into()).ok()).is_some_and(|c| c.is_truthy())
}

/// Whether `data/<name>` is in the service worker's caches.
async fn is_kept(name: &str) -> bool {
    let global = js_sys::global();
    let Ok(caches) = Reflect::get(&global, &"caches".into()) else { return false };
    let Ok(lookup) = Reflect::get(&caches, &"match".into()).and_then(|f| f.dyn_into::<Function>()) else { return false };
    let Ok(found) = lookup.call1(&caches, &format!("data/{name}").into()) else { return false };
    JsFuture::from(Promise::from(found)).await.is_ok_and(|r| !r.is_undefined())
}

thread_local! {
    /// Counts looks in the caches: one that a later look overtook writes nothing.
    static LOOKS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Marks each lab whose data files are all kept, and says how many are.
fn refresh(status: &Element) {
    let status = status.clone();
    let look = LOOKS.with(|l| {
        l.set(l.get() + 1);
        l.get()
    });
    let overtaken = move || LOOKS.with(|l| l.get() != look);
    spawn_local(async move {
        if !kept_here() {
            let why = super::dom::document().document_element().and_then(|d| d.get_attribute("data-offline-why"));
            set_text(&status, &match why {
                Some(why) => format!("This page cannot be kept offline: {why}."),
                None => "Labs are kept for offline use once the page has loaded (a moment on the first visit).".into(),
            });
            return;
        }
        // Each file looked up once; a lab is ready when all of its are kept.
        let files = labs::all_data_files();
        let mut kept = std::collections::BTreeSet::new();
        for f in &files {
            if is_kept(f).await {
                kept.insert(*f);
            }
        }
        let ready: Vec<_> = LABS.iter().filter(|l| labs::spec(l.id).is_some()).map(|l| (l.id, labs::data_files(l.id).iter().all(|f| kept.contains(f)))).collect();
        if overtaken() {
            return;
        }
        for (id, kept) in &ready {
            super::page::mark_day(id, "offline-mark", "data-offline", kept.then_some("offline"));
        }
        let ready = ready.iter().filter(|(_, kept)| *kept).count();
        set_text(&status, &format!("{ready} labs work offline in this browser; {} of {} data files are kept.", kept.len(), files.len()));
    });
}

/// Fetches every lab's data file not kept yet; the service worker keeps each.
async fn fetch_all(status: &Element, bar: &Element) {
    if !kept_here() {
        refresh(status);
        return;
    }
    let button = super::dom::document().query_selector("[data-action=\"offline-all\"]").ok().flatten();
    let set_busy = |busy: bool| {
        if let Some(b) = button.as_ref().and_then(|b| b.dyn_ref::<HtmlButtonElement>()) {
            b.set_disabled(busy);
        }
    };
    set_busy(true);
    let progress: &HtmlProgressElement = bar.unchecked_ref();
    let _ = bar.remove_attribute("hidden");
    let files = labs::all_data_files();
    let n = files.len() as f64;
    let mut fetched = 0.0;
    let mut failed = None;
    for (i, f) in files.iter().enumerate() {
        if is_kept(f).await {
            continue;
        }
        let result = super::fetch::fetch_bytes(f, |done, total| {
            let part = if total > 0 { done as f64 / total as f64 } else { 0.0 };
            progress.set_value((i as f64 + part) / n);
            set_text(status, &format!("Fetching data/{f}: file {} of {}, {:.1} MB", i + 1, files.len(), (fetched + done as f64) / 1e6));
        })
        .await;
        match result {
            Ok(bytes) => {
                fetched += bytes.len() as f64;
                // The service worker keeps a file while the page reads it, and
                // finishes a moment after: the marks are read once it has.
                for _ in 0..50 {
                    if is_kept(f).await {
                        break;
                    }
                    sleep_ms(100).await;
                }
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    progress.set_value(1.0);
    let _ = bar.set_attribute("hidden", "");
    set_busy(false);
    match failed {
        Some(e) => set_text(status, &format!("{e}. What was fetched is kept; try again when online.")),
        None => refresh(status),
    }
}

/// Waits `ms` milliseconds without blocking the page.
async fn sleep_ms(ms: i32) {
    let wait = Promise::new(&mut |resolve, _| {
        let _ = super::dom::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(wait).await;
}
