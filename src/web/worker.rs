//! The training worker: one async task owns the device and the lab, takes the
//! page's commands between chunks of steps, and posts events back.

use crate::backend::{choose, BackendChoice, BackendKind, Workload};
use crate::data::files::{other_model, DataFiles, MODEL, RESUME};
use crate::event::{Command, Event, ModelKind, Snapshot, Status};
use crate::models::checkpoint;
use crate::labs::{self, Training};
use crate::settings::Params;
use burn::prelude::Device;
use js_sys::{Function, Promise};
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Wall time we aim for between two snapshots: short enough to pause at once
/// and to feel live, long enough that reading back results costs little.
const CHUNK_TARGET_MS: f64 = 60.0;
const MAX_CHUNK: usize = 1000;
/// Training time between two checkpoints of a run (the page says so).
const CHECKPOINT_MS: f64 = 30_000.0;

#[derive(Default)]
struct Inbox {
    queue: VecDeque<Command>,
    wake: Option<Function>,
}

thread_local! {
    static INBOX: RefCell<Inbox> = RefCell::new(Inbox::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(event: &Event) {
    let _ = scope().post_message(&super::to_js(event));
}

fn post_status(status: Status, message: Option<String>) {
    post(&Event::Status { status, message });
}

fn now_ms() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post_status(Status::Error, Some(format!("The training worker crashed: {info}")));
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|msg: MessageEvent| {
        match serde_wasm_bindgen::from_value::<Command>(msg.data()) {
            Ok(cmd) => push(cmd),
            Err(e) => post_status(Status::Error, Some(format!("The worker got a message it does not understand: {e}"))),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    spawn_local(async {
        // The pool's threads load before any lab runs (src/web/threads.rs).
        #[cfg(feature = "threads")]
        super::threads::start_pool(scope().navigator().hardware_concurrency() as usize).await;
        spawn_local(actor());
        post(&Event::Ready);
    });
}

/// Threads the CPU backend trains on in this worker.
fn cpu_threads() -> usize {
    #[cfg(feature = "threads")]
    return super::threads::count();
    #[cfg(not(feature = "threads"))]
    1
}

fn push(cmd: Command) {
    let wake = INBOX.with(|inbox| {
        let mut inbox = inbox.borrow_mut();
        inbox.queue.push_back(cmd);
        inbox.wake.take()
    });
    if let Some(wake) = wake {
        let _ = wake.call0(&JsValue::NULL);
    }
}

fn try_next() -> Option<Command> {
    INBOX.with(|inbox| inbox.borrow_mut().queue.pop_front())
}

async fn next() -> Command {
    loop {
        if let Some(cmd) = try_next() {
            return cmd;
        }
        let wait = Promise::new(&mut |resolve, _| INBOX.with(|inbox| inbox.borrow_mut().wake = Some(resolve)));
        let _ = JsFuture::from(wait).await;
    }
}

/// Lets the worker's event loop deliver messages before the next chunk.
async fn yield_now() {
    let tick = Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(tick).await;
}

struct Loaded {
    lab_id: String,
    params: Params,
}

#[derive(Default)]
struct Trainer {
    loaded: Option<Loaded>,
    lab: Option<Box<dyn Training>>,
    device: Option<Device>,
    /// burn's wgpu runtime can be opened once per worker; keep what we got.
    gpu: Option<Result<Device, String>>,
    running: bool,
    /// Data files fetched so far, kept across labs and resets.
    files: DataFiles,
    chunk: usize,
    steps_per_sec: f64,
    /// The model file the page asked to start from, for every build.
    model: Option<Vec<u8>>,
    /// A checkpoint of this run, for the next build only.
    checkpoint: Option<Vec<u8>>,
    /// Whether the lab keeps a model (`Training::save`); learned at the first try.
    saves: bool,
    /// When the last checkpoint was taken, in the worker's clock.
    checkpoint_at: f64,
}

async fn actor() {
    let mut t = Trainer { chunk: 1, ..Default::default() };
    loop {
        let cmd = if t.running { try_next() } else { Some(next().await) };
        match cmd {
            Some(cmd) => t.handle(cmd).await,
            None => {
                t.train_chunk().await;
                yield_now().await;
            }
        }
    }
}

impl Trainer {
    async fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Load { lab, params, backend, upload, model, others, checkpoint } => {
                self.model = model;
                // The models set beside the first, as model_b, model_c, ….
                self.files.0.retain(|name, _| !name.starts_with("model_"));
                for (i, bytes) in others.into_iter().enumerate() {
                    self.files.insert(&other_model(i), bytes.into_vec());
                }
                self.checkpoint = checkpoint;
                // The user's own text travels with the load that needs it.
                match upload {
                    Some(text) => self.files.insert(crate::data::files::UPLOAD, text.into_bytes()),
                    None => {
                        self.files.0.remove(crate::data::files::UPLOAD);
                    }
                }
                self.load(lab, params, backend).await
            }
            Command::Run => {
                if self.lab.as_ref().is_some_and(|l| l.is_done()) {
                    self.rebuild().await;
                }
                if self.lab.is_some() {
                    self.running = true;
                    post_status(Status::Running, None);
                }
            }
            Command::Pause => {
                self.running = false;
                if self.lab.as_ref().is_some_and(|l| !l.is_done()) {
                    post_status(Status::Paused, None);
                    if self.lab.as_ref().is_some_and(|l| l.steps_done() > 0) {
                        self.send_model(ModelKind::Checkpoint).await;
                    }
                }
            }
            Command::Step => {
                self.running = false;
                if let Some(lab) = self.lab.as_mut().filter(|l| !l.is_done()) {
                    lab.step();
                    self.report().await;
                    if self.lab.as_ref().is_some_and(|l| !l.is_done()) {
                        post_status(Status::Paused, None);
                    }
                }
            }
            Command::Reset => {
                self.running = false;
                self.rebuild().await;
            }
            Command::Live { key, value } => {
                if let Some(loaded) = self.loaded.as_mut() {
                    let schema = labs::schema(&loaded.lab_id);
                    let _ = loaded.params.set(&schema, &key, &value);
                }
                if let Some(lab) = self.lab.as_mut() {
                    lab.set_live(&key, &value);
                }
                if !self.running {
                    self.report().await;
                }
            }
            Command::Inspect { bytes } => post(&Event::Inspected { result: checkpoint::info(&bytes) }),
            Command::Predict { pixels } => {
                let figure = match &self.lab {
                    Some(lab) => lab.predict(&pixels).await,
                    None => Err("no model is loaded yet".into()),
                };
                post(&Event::Prediction { figure });
            }
        }
    }

    /// Fetches the data files a lab needs that this worker has not fetched yet.
    async fn fetch_data(&mut self, names: &[&str]) -> Result<(), String> {
        for name in names {
            if self.files.0.contains_key(*name) {
                continue;
            }
            let mut last = -1.0;
            let bytes = super::fetch::fetch_bytes(name, |done, total| {
                let mb = done as f64 / 1e6;
                // A message per tenth of a megabyte is plenty for a progress bar.
                if mb - last >= 0.1 || (total > 0 && done == total) {
                    last = mb;
                    post(&Event::Progress { label: format!("Loading data/{name} (MB)"), done: mb, total: total as f64 / 1e6 });
                }
            })
            .await?;
            self.files.insert(name, bytes);
        }
        Ok(())
    }

    async fn load(&mut self, lab_id: String, raw: BTreeMap<String, String>, choice: BackendChoice) {
        self.running = false;
        let schema = labs::schema(&lab_id);
        let mut params = Params::defaults(&schema);
        for (key, value) in &raw {
            // The page validated these already; a bad one simply keeps its default.
            let _ = params.set(&schema, key, value);
        }
        let workload = labs::spec(&lab_id).map(|s| s.workload).unwrap_or(Workload::Tiny);
        let (kind, reason) = self.pick_backend(choice, workload).await;
        self.device = Some(match kind {
            BackendKind::Webgpu => self.gpu.clone().and_then(Result::ok).expect("pick_backend opened the GPU"),
            BackendKind::Cpu => crate::backend::cpu(),
        });
        let reason = match cpu_threads() {
            n if n > 1 && kind == BackendKind::Cpu => format!("{reason} ({n} threads)"),
            _ => reason,
        };
        post(&Event::Backend { kind, reason });
        let names = labs::spec(&lab_id).map_or(Ok(&[][..]), |s| (s.data)(&params));
        self.loaded = Some(Loaded { lab_id, params });
        let fetched = match names {
            Ok(names) => self.fetch_data(names).await,
            Err(e) => Err(e),
        };
        if let Err(e) = fetched {
            self.lab = None;
            post_status(Status::Error, Some(e));
            return;
        }
        self.rebuild().await;
    }

    async fn pick_backend(&mut self, choice: BackendChoice, workload: Workload) -> (BackendKind, String) {
        if choice == BackendChoice::Cpu {
            return choose(choice, Err("not asked for"), workload);
        }
        let adapter = super::gpu::adapter_info().await;
        let (kind, reason) = choose(choice, adapter.as_ref().map_err(String::as_str), workload);
        if kind == BackendKind::Cpu {
            return (kind, reason);
        }
        if self.gpu.is_none() {
            self.gpu = Some(open_gpu().await);
        }
        match &self.gpu {
            Some(Ok(_)) => (kind, reason),
            Some(Err(e)) => (BackendKind::Cpu, format!("WebGPU could not start ({e}), so the CPU runs it.")),
            None => unreachable!("set just above"),
        }
    }

    /// Builds the lab afresh from the loaded settings and shows its step 0
    /// (or a checkpoint's step, the first time after a load that brought one).
    async fn rebuild(&mut self) {
        let (Some(loaded), Some(device)) = (&self.loaded, &self.device) else { return };
        self.chunk = 1;
        self.steps_per_sec = 0.0;
        self.saves = true;
        self.checkpoint_at = now_ms();
        match (self.checkpoint.take(), &self.model) {
            (Some(resume), _) => {
                self.files.insert(MODEL, resume);
                self.files.insert(RESUME, Vec::new());
            }
            (None, model) => {
                self.files.0.remove(RESUME);
                match model {
                    Some(bytes) => self.files.insert(MODEL, bytes.clone()),
                    None => {
                        self.files.0.remove(MODEL);
                    }
                }
            }
        }
        match labs::start(&loaded.lab_id, &loaded.params, device, &self.files) {
            Ok(lab) => {
                self.lab = Some(lab);
                post_status(Status::Idle, None);
                self.report().await;
            }
            Err(e) => {
                self.lab = None;
                post_status(Status::Error, Some(e));
            }
        }
    }

    async fn train_chunk(&mut self) {
        let Some(lab) = self.lab.as_mut() else {
            self.running = false;
            return;
        };
        if let Some(limit) = lab.max_chunk() {
            self.chunk = self.chunk.min(limit);
        }
        let start = now_ms();
        let mut steps = 0;
        while steps < self.chunk && !lab.is_done() {
            lab.step();
            steps += 1;
        }
        let ok = self.report().await;
        let elapsed = (now_ms() - start).max(0.1);
        // Steer the chunk towards the target time, halfway at a time to stay smooth.
        let ideal = (self.chunk as f64 * CHUNK_TARGET_MS / elapsed).clamp(1.0, MAX_CHUNK as f64);
        self.chunk = ((self.chunk as f64 + ideal) / 2.0).round().max(1.0) as usize;
        let rate = steps as f64 * 1000.0 / elapsed;
        self.steps_per_sec = if self.steps_per_sec == 0.0 { rate } else { 0.7 * self.steps_per_sec + 0.3 * rate };
        if ok && self.lab.as_ref().is_some_and(|l| l.is_done()) {
            self.running = false;
            // The model is sent before "done", so that the page keeps it first.
            self.send_model(ModelKind::Trained).await;
            post_status(Status::Done, None);
        } else if ok && now_ms() - self.checkpoint_at >= CHECKPOINT_MS {
            self.send_model(ModelKind::Checkpoint).await;
        }
    }

    /// Sends the lab's model to the page, to keep as a checkpoint or as a
    /// trained model; a lab that keeps none is not asked again until rebuilt.
    async fn send_model(&mut self, kind: ModelKind) {
        self.checkpoint_at = now_ms();
        let Some(lab) = self.lab.as_ref().filter(|_| self.saves) else { return };
        match lab.save().await.and_then(|bytes| Ok((checkpoint::info(&bytes)?, bytes))) {
            Ok((info, bytes)) => post(&Event::Model { kind, info, bytes }),
            Err(_) => self.saves = false,
        }
    }

    /// Reads a snapshot and posts it; on a failure, stops with the reason.
    async fn report(&mut self) -> bool {
        let Some(lab) = self.lab.as_mut() else { return false };
        match lab.snapshot().await {
            Ok(mut snap) => {
                add_rate(&mut snap, self.steps_per_sec);
                post(&Event::Snapshot(snap));
                true
            }
            Err(message) => {
                self.running = false;
                post_status(Status::Error, Some(message));
                false
            }
        }
    }
}

fn add_rate(snap: &mut Snapshot, steps_per_sec: f64) {
    if steps_per_sec > 0.0 {
        snap.metrics.push(("steps_per_sec".into(), steps_per_sec));
    }
}

/// burn's wgpu device on the browser's WebGPU adapter.
#[cfg(feature = "wgpu")]
async fn open_gpu() -> Result<Device, String> {
    Device::wgpu_options().init_async().await.map_err(|e| format!("{e}"))
}

/// The CPU worker is built without wgpu; the page sends it only CPU work.
#[cfg(not(feature = "wgpu"))]
async fn open_gpu() -> Result<Device, String> {
    Err("this is the CPU-only worker".into())
}
