//! Which training worker the page talks to. Where the CPU is certain to run a
//! lab (the CPU asked for, `auto` on a tiny model, or `auto` on a large one with
//! no hardware GPU), the page starts the CPU-only module, a fraction of the size
//! of the one with WebGPU; otherwise the WebGPU one, which still falls back to
//! the CPU itself. A lab that needs the other kind replaces the worker.

use super::{with_app, App};
use crate::backend::{choose, needs_webgpu_worker, AdapterInfo, BackendChoice, BackendKind, Workload};
use crate::event::Event;
use crate::web::dom::on;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WorkerKind {
    Cpu,
    Webgpu,
}

impl WorkerKind {
    pub(super) fn for_lab(choice: BackendChoice, workload: Workload) -> Self {
        if needs_webgpu_worker(choice, workload) { Self::Webgpu } else { Self::Cpu }
    }

    fn script(self, threaded: bool) -> &'static str {
        match self {
            Self::Cpu if threaded => "./worker_threads_loader.js",
            Self::Cpu => "./worker_cpu_loader.js",
            Self::Webgpu => "./worker_loader.js",
        }
    }
}

/// Whether this page may share memory with its workers (COOP and COEP headers),
/// which the CPU worker with threads needs.
fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into()).is_ok_and(|v| v.is_truthy())
}

/// Starts a worker and routes its events to the app. Events from a worker that
/// has since been replaced (`generation` moved on) are dropped.
fn spawn(kind: WorkerKind, threaded: bool, generation: u32) -> Result<Worker, String> {
    let worker = Worker::new(kind.script(threaded)).map_err(|e| format!("Could not start the training worker: {e:?}"))?;
    on(&worker, "message", move |e| {
        if let Some(msg) = e.dyn_ref::<MessageEvent>() {
            match serde_wasm_bindgen::from_value::<Event>(msg.data()) {
                Ok(event) => with_app(|app| {
                    if app.generation == generation {
                        app.on_event(event)
                    }
                })
                .unwrap_or(()),
                Err(err) => web_sys::console::error_1(&format!("bad event from worker: {err}").into()),
            }
        }
    });
    on(&worker, "error", move |_| {
        with_app(|app| {
            if app.generation != generation {
                return;
            }
            if threaded && !app.ready {
                // The module with threads did not load (a browser without wasm
                // threads, or a site built without it): the one without will.
                web_sys::console::warn_1(&"The CPU worker with threads did not start; using the one without.".into());
                app.no_threads = true;
                app.worker_dead = true; // so that `ensure_worker` replaces it
                let queued = std::mem::take(&mut app.outbox);
                match app.ensure_worker(WorkerKind::Cpu) {
                    Ok(()) => app.outbox = queued,
                    Err(e) => app.fail(&e),
                }
            } else {
                app.worker_dead = true;
                app.fail("The training worker stopped. Press Reset to start a new one.");
            }
        });
    });
    Ok(worker)
}

impl App {
    /// The worker a lab needs, or `None` while the adapter is being asked about
    /// (the lab loads when the answer comes). Only `auto` on a large model asks:
    /// its answer depends on whether the GPU is real.
    pub(super) fn worker_for(&mut self, choice: BackendChoice, workload: Workload) -> Option<WorkerKind> {
        if !(choice == BackendChoice::Auto && workload == Workload::Large) {
            return Some(WorkerKind::for_lab(choice, workload));
        }
        match &self.adapter {
            Some(adapter) => {
                let (kind, _) = choose(choice, adapter.as_ref().map_err(String::as_str), workload);
                Some(if kind == BackendKind::Webgpu { WorkerKind::Webgpu } else { WorkerKind::Cpu })
            }
            None => {
                if !self.awaiting_adapter {
                    self.awaiting_adapter = true;
                    wasm_bindgen_futures::spawn_local(async {
                        let adapter: Result<AdapterInfo, String> = crate::web::gpu::adapter_info().await;
                        with_app(|app| {
                            app.adapter = Some(adapter);
                            app.awaiting_adapter = false;
                            app.load();
                            if std::mem::take(&mut app.run_after_load) {
                                app.run();
                            }
                        });
                    });
                }
                None
            }
        }
    }

    /// Makes sure a live worker of `kind` is there, replacing the current one if
    /// it is of the other kind or has died. Commands queued for the old one go.
    pub(super) fn ensure_worker(&mut self, kind: WorkerKind) -> Result<(), String> {
        if self.worker.as_ref().is_some_and(|(_, k)| *k == kind) && !self.worker_dead {
            return Ok(());
        }
        self.retire_worker();
        self.worker_dead = false;
        let threaded = kind == WorkerKind::Cpu && !self.no_threads && cross_origin_isolated();
        let worker = spawn(kind, threaded, self.generation)?;
        let _ = self.shell.main.set_attribute("data-worker", match kind {
            WorkerKind::Cpu => "cpu",
            WorkerKind::Webgpu => "webgpu",
        });
        self.worker = Some((worker, kind));
        Ok(())
    }

    /// Stops the worker, if any: whatever it still says is dropped (a new
    /// generation), and so are the commands queued for it.
    pub(super) fn retire_worker(&mut self) {
        if let Some((old, _)) = self.worker.take() {
            old.terminate();
        }
        self.generation += 1;
        self.ready = false;
        self.outbox.clear();
    }
}
