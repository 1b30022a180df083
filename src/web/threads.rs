//! Threads for the CPU path in the browser. rayon's pool, which burn's matmuls
//! and reductions and our fused ops split their work over, gets Web Workers as
//! its threads: each one instantiates this same module on this worker's shared
//! memory, then runs the rayon thread it is handed. The training worker itself
//! is thread 0 (it works while it waits), so two cores take one more worker.
//!
//! Only in the module built with atomics (`www/worker_threads`,
//! `scripts/build-threads.sh`); the page starts that module only where
//! `crossOriginIsolated` holds, since shared memory needs it.

use js_sys::{Array, Function, Promise};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Worker;

/// Each pool thread's script, beside the training worker's own.
const THREAD_SCRIPT: &str = "./thread.js";
/// More threads than this gain little on the course's models and cost memory.
const MAX_THREADS: usize = 8;

static THREADS: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// The helpers' handles, kept for the worker's lifetime.
    static HELPERS: RefCell<Vec<Worker>> = const { RefCell::new(Vec::new()) };
}

/// How many threads the pool has (1 before it starts or when it could not).
pub fn count() -> usize {
    THREADS.load(Ordering::Relaxed)
}

/// Builds rayon's global pool with up to `wanted` threads, this one included,
/// and returns how many it got. Each helper first loads the module, and we wait
/// for that: a helper still starting cannot take work, and this thread would
/// block waiting on it. A helper that fails to load leaves the pool smaller
/// (at worst this thread alone), never stuck.
pub async fn start_pool(wanted: usize) -> usize {
    let mut helpers = Vec::new();
    for _ in 1..wanted.clamp(1, MAX_THREADS) {
        match load_helper().await {
            Ok(worker) => helpers.push(worker),
            Err(e) => {
                web_sys::console::warn_2(&"A training thread could not start; training with fewer.".into(), &e);
                break;
            }
        }
    }
    let threads = helpers.len() + 1;
    let mut idle = helpers.into_iter();
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .use_current_thread()
        .spawn_handler(move |thread| {
            let worker = idle.next().ok_or_else(|| std::io::Error::other("no loaded helper left"))?;
            let run: Box<dyn FnOnce()> = Box::new(move || thread.run());
            // The helper shares our memory, so a pointer is all it needs.
            let work = Box::into_raw(Box::new(run)) as usize;
            worker.post_message(&JsValue::from(work as f64)).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
            HELPERS.with(|h| h.borrow_mut().push(worker));
            Ok(())
        })
        .build_global();
    match built {
        Ok(()) => THREADS.store(threads, Ordering::Relaxed),
        Err(e) => web_sys::console::warn_1(&format!("No thread pool, one thread only: {e}").into()),
    }
    count()
}

/// Starts one helper and resolves once it has instantiated the module.
async fn load_helper() -> Result<Worker, JsValue> {
    let worker = Worker::new(THREAD_SCRIPT)?;
    let loaded = Promise::new(&mut |resolve: Function, reject: Function| {
        worker.set_onmessage(Some(&resolve));
        worker.set_onerror(Some(&reject));
    });
    let started = match worker.post_message(&Array::of2(&wasm_bindgen::module(), &wasm_bindgen::memory())) {
        Ok(()) => JsFuture::from(loaded).await.map(drop),
        Err(e) => Err(e),
    };
    if let Err(e) = started {
        worker.terminate();
        return Err(e);
    }
    worker.set_onmessage(None);
    worker.set_onerror(None);
    Ok(worker)
}

/// A helper's entry (`www/thread.js`): runs the rayon thread that `work` points
/// to, which returns only when the pool ends. (A panic inside a parallel kernel
/// would stop its helper and leave the step waiting; burn checks shapes before
/// it splits work, on the calling thread, where panics are reported.)
#[wasm_bindgen]
pub fn reasonlab_thread_run(work: usize) {
    // SAFETY: `work` came from `Box::into_raw` in `start_pool`, and is handed
    // to exactly one helper, once.
    let run = unsafe { Box::from_raw(work as *mut Box<dyn FnOnce()>) };
    run();
}
