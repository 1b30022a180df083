//! The page: keeps the state that the URL shares, talks to the worker, and
//! redraws at most once a frame.

use super::dom::{self, add, el, on, set_text};
use super::page::{self, LabUi, Shell};
use super::render;

mod choose;
mod interact;
mod keep;
mod lost;
mod workers;
use crate::backend::{BackendChoice, BackendKind};
use crate::event::{Command, Event, Series, Snapshot, Status};
use crate::figure::Figure;
use crate::labs;
use crate::settings::Kind;
use crate::url::{parse_hash, UrlState};
use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, KeyboardEvent, Worker};
use workers::WorkerKind;

struct App {
    shell: Shell,
    ui: Option<LabUi>,
    state: UrlState,
    status: Status,
    /// The training worker and its kind; started by the first lab shown.
    worker: Option<(Worker, WorkerKind)>,
    /// Counts workers started: events from a replaced one are dropped.
    generation: u32,
    /// The worker trapped (a panic aborts wasm): the next Reset starts a new one.
    worker_dead: bool,
    /// The CPU worker with threads failed to start here: use the one without.
    no_threads: bool,
    /// What the browser said about its WebGPU adapter, once asked.
    adapter: Option<Result<crate::backend::AdapterInfo, String>>,
    awaiting_adapter: bool,
    /// Run was asked for while the adapter question was open.
    run_after_load: bool,
    /// Running or Paused, as the user last asked (Step pauses). A worker status
    /// that contradicts it answers an earlier command and is not shown.
    intent: Option<Status>,
    ready: bool,
    outbox: Vec<Command>,
    series: BTreeMap<String, Vec<(u32, f32)>>,
    latest: Option<Snapshot>,
    /// The latest figure of each name: a snapshot sends only those that changed.
    figures: BTreeMap<String, Figure>,
    /// The figures of the lab's first snapshot, shown again when what replaced
    /// them is withdrawn (a cleared drawing pad).
    first_figures: BTreeMap<String, Figure>,
    /// Whether the lab's answer to the drawing on the pad is being computed.
    predicting: bool,
    sketch_dirty: bool,
    frame_pending: bool,
    /// The user's own text (kept in the browser, not in the link).
    upload: Option<super::upload::Upload>,
    /// Counts loads: a look in the model store that a later load overtook is dropped.
    load_seq: u32,
    /// A look in the model store is under way; a Run waits for it.
    loading: bool,
    /// An imported file, while the worker checks it.
    pending_import: Option<Vec<u8>>,
    /// The lab shown has had its models chosen for it (`choose`), or needed none.
    chose: bool,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Runs `f` on the app. A handler fired while another runs (it should not
/// happen: nothing here dispatches events synchronously) is dropped, not a panic.
fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|app| app.try_borrow_mut().ok()?.as_mut().map(f))
}

pub fn start() {
    console_error_panic_hook::set_once();
    let body: Element = dom::document().body().expect("the page has a body").into();
    let shell = page::build_shell(&body);
    let hash = dom::window().location().hash().unwrap_or_default();
    let (state, notices) = parse_hash(&hash);
    APP.with(|cell| {
        *cell.borrow_mut() = Some(App {
            shell,
            ui: None,
            state: state.clone(),
            status: Status::Idle,
            worker: None,
            generation: 0,
            worker_dead: false,
            no_threads: false,
            adapter: None,
            awaiting_adapter: false,
            run_after_load: false,
            intent: None,
            ready: false,
            outbox: Vec::new(),
            series: BTreeMap::new(),
            latest: None,
            figures: BTreeMap::new(),
            first_figures: BTreeMap::new(),
            predicting: false,
            sketch_dirty: false,
            frame_pending: false,
            upload: super::upload::stored(),
            load_seq: 0,
            loading: false,
            pending_import: None,
            chose: false,
        })
    });
    super::progress::refresh();
    with_app(|app| app.show(state, notices));
    on(&dom::window(), "hashchange", |_| {
        let hash = dom::window().location().hash().unwrap_or_default();
        let (state, notices) = parse_hash(&hash);
        with_app(|app| {
            if state != app.state {
                app.show(state, notices)
            }
        });
    });
    on(&dom::document(), "keydown", |e| {
        if let Some(key) = e.dyn_ref::<KeyboardEvent>() {
            with_app(|app| app.on_key(key));
        }
    });
}

impl App {
    fn send(&mut self, cmd: Command) {
        if let Some((worker, _)) = self.worker.as_ref().filter(|_| self.ready) {
            let _ = worker.post_message(&super::to_js(&cmd));
        } else {
            self.outbox.push(cmd);
        }
    }

    fn set_status(&mut self, status: Status) {
        // A lab that scores kept models idles as `waiting` until one is chosen.
        let status = if status == Status::Idle && self.waiting() { Status::Waiting } else { status };
        self.status = status;
        let _ = self.shell.main.set_attribute("data-status", status.name());
    }

    fn notify(&self, text: &str, class: &str) {
        add(&self.shell.notices, el("p", &[("class", class)], text));
    }

    fn fail(&mut self, message: &str) {
        self.set_status(Status::Error);
        self.notify(message, "error");
    }

    /// Shows a lab with these settings and (re)loads it in the worker.
    fn show(&mut self, state: UrlState, notices: Vec<String>) {
        dom::clear(&self.shell.notices);
        for n in &notices {
            self.notify(n, "warning");
        }
        self.state = state;
        self.chose = false;
        self.ui = page::build_lab(&self.shell.main, &self.state);
        if let Ok(Some(old)) = dom::document().query_selector("li.current") {
            let _ = old.class_list().remove_1("current");
        }
        if let Ok(Some(li)) = dom::document().query_selector(&format!("li[data-lab=\"{}\"]", self.state.lab)) {
            let _ = li.class_list().add_1("current");
        }
        self.write_hash();
        self.wire();
        self.load();
        if self.state.run && self.ui.is_some() {
            self.run();
        }
    }

    /// The canonical link, written without adding a history entry or firing hashchange.
    fn write_hash(&self) {
        let hash = format!("#{}", self.state.to_hash());
        let _ = dom::window().history().map(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&hash)));
        if let Some(ui) = &self.ui {
            let href = dom::window().location().href().unwrap_or_default();
            ui.link.unchecked_ref::<HtmlInputElement>().set_value(&href);
        }
    }

    fn load(&mut self) {
        self.intent = None;
        self.clear_figures();
        self.set_status(Status::Idle);
        let Some(spec) = labs::spec(&self.state.lab).filter(|_| self.ui.is_some()) else { return };
        let Some(kind) = self.worker_for(self.state.backend, spec.workload) else { return };
        if let Err(e) = self.ensure_worker(kind) {
            self.fail(&e);
            return;
        }
        // A lab set to train on "file" gets the user's text with its settings.
        let on_file = spec.takes.upload.is_some_and(|key| self.state.params.shown(key) == "file");
        let upload = on_file.then(|| self.upload.as_ref().map(|u| u.text.clone())).flatten();
        if self.should_choose() {
            self.choose_then_load(upload);
        } else if self.takes_model() {
            // The store is asked first: a checkpoint of this run, or the named model.
            self.load_from_store(upload);
        } else {
            self.load_seq += 1;
            self.loading = false;
            self.send(Command::Load { lab: self.state.lab.clone(), params: self.state.params.0.clone(), backend: self.state.backend, upload, model: None, others: Vec::new(), checkpoint: None });
        }
    }

    fn run(&mut self) {
        if self.worker_dead {
            // A worker that stopped (a lost GPU, a trap) is replaced, and the
            // run goes on from its checkpoint where the lab keeps them.
            self.load();
        }
        self.intent = Some(Status::Running);
        self.set_status(Status::Running);
        if self.awaiting_adapter || self.loading {
            self.run_after_load = true;
            return;
        }
        if self.waiting() {
            self.wait_for_model();
            return;
        }
        self.send(Command::Run);
    }

    fn step(&mut self) {
        if self.waiting() {
            self.wait_for_model();
            return;
        }
        self.intent = Some(Status::Paused);
        self.run_after_load = false;
        self.send(Command::Step);
    }

    fn pause(&mut self) {
        self.intent = Some(Status::Paused);
        if self.status == Status::Running {
            self.set_status(Status::Paused);
        }
        self.run_after_load = false;
        self.send(Command::Pause);
    }

    fn reset(&mut self) {
        if self.takes_model() {
            // Start over: the run's checkpoint goes, then the lab loads afresh.
            let key = self.run_key();
            self.loading = true;
            wasm_bindgen_futures::spawn_local(async move {
                let _ = super::models::forget_checkpoint(&key).await;
                with_app(|app| {
                    dom::clear(&app.shell.notices);
                    app.load();
                });
            });
            return;
        }
        if self.worker_dead {
            // `load` starts a new worker in place of the dead one.
            dom::clear(&self.shell.notices);
            self.load();
            return;
        }
        self.clear_figures();
        self.intent = None;
        self.set_status(Status::Idle);
        self.send(Command::Reset);
    }

    /// A setting changed on the page: validate it, rewrite the link, rebuild the lab.
    fn on_setting(&mut self, key: &str, value: &str) {
        let capped = self.capped(key, value);
        let was_cut = capped.len() != value.len();
        let value = capped.as_str();
        if key == "backend" {
            self.state.backend = BackendChoice::parse(value).unwrap_or_default();
        } else if let Err(why) = self.state.params.set(&labs::schema(&self.state.lab), key, value) {
            self.notify(&format!("Not applied: {why}."), "warning");
            self.restore_controls();
            return;
        }
        if was_cut {
            self.restore_controls();
        }
        self.write_hash();
        if labs::spec(&self.state.lab).is_some_and(|s| s.live.contains(&key)) {
            let value = self.state.params.shown(key).to_string();
            self.send(Command::Live { key: key.to_string(), value });
        } else {
            self.load();
        }
    }

    /// Pasted text longer than a setting (and a link) can carry is cut, with a notice.
    fn capped(&self, key: &str, value: &str) -> String {
        let schema = labs::schema(&self.state.lab);
        match schema.iter().find(|s| s.key == key).map(|s| s.kind) {
            Some(Kind::Text { max }) if value.len() > max => {
                let end = (0..=max).rev().find(|i| value.is_char_boundary(*i)).unwrap_or(0);
                let kept = &value[..end];
                self.notify(&format!("Your text has {} characters; it was cut to the first {}, the most a link can carry.", value.chars().count(), kept.chars().count()), "info");
                kept.to_string()
            }
            _ => value.to_string(),
        }
    }

    fn apply_preset(&mut self, index: &str) {
        let Some(spec) = labs::spec(&self.state.lab) else { return };
        let Some(preset) = index.parse::<usize>().ok().and_then(|i| spec.presets.get(i)) else { return };
        let schema = labs::schema(&self.state.lab);
        let _ = preset.apply(&schema, &mut self.state.params);
        self.restore_controls();
        self.write_hash();
        self.load();
    }

    fn restore_controls(&self) {
        let Some(ui) = &self.ui else { return };
        page::open_advanced(&ui.advanced, &self.state.lab, &self.state.params);
        for (key, input) in &ui.controls {
            let value = self.state.params.shown(key);
            if let Some(s) = input.dyn_ref::<HtmlSelectElement>() {
                s.set_value(value);
            } else if let Some(i) = input.dyn_ref::<HtmlInputElement>() {
                i.set_value(value);
            }
        }
    }

    fn wire(&self) {
        let Some(ui) = &self.ui else { return };
        on(&ui.buttons.run, "click", |_| { with_app(App::run); });
        on(&ui.buttons.pause, "click", |_| { with_app(App::pause); });
        on(&ui.buttons.step, "click", |_| { with_app(App::step); });
        on(&ui.buttons.reset, "click", |_| { with_app(App::reset); });
        on(&ui.buttons.copy, "click", |_| { with_app(|a| a.copy_link()); });
        let mut inputs: Vec<(String, Element)> = ui.controls.clone();
        inputs.push(("backend".into(), ui.backend.clone()));
        for (key, input) in inputs {
            let source = input.clone();
            on(&input, "change", move |_| {
                let value = match source.dyn_ref::<HtmlSelectElement>() {
                    Some(s) => s.value(),
                    None => source.unchecked_ref::<HtmlInputElement>().value(),
                };
                with_app(|a| a.on_setting(&key, &value));
            });
        }
        let preset = ui.preset.clone();
        on(&ui.preset, "change", move |_| {
            let value = preset.unchecked_ref::<HtmlSelectElement>().value();
            with_app(|a| a.apply_preset(&value));
        });
        interact::wire(ui);
        self.show_upload();
        self.wire_models();
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Ready => {
                self.ready = true;
                for cmd in std::mem::take(&mut self.outbox) {
                    self.send(cmd);
                }
            }
            Event::Backend { kind, reason } => {
                let _ = self.shell.backend.set_attribute("data-backend", kind.name());
                set_text(&self.shell.backend, kind.name());
                set_text(&self.shell.backend_reason, &format!(" — {reason}"));
                if self.state.backend == BackendChoice::Webgpu && kind == BackendKind::Cpu {
                    self.notify(&reason, "warning");
                }
            }
            Event::Status { status, message } => {
                // The last snapshot is drawn before "done" shows, so the numbers next
                // to a finished run are its final ones.
                if matches!(status, Status::Done | Status::Error) {
                    self.render();
                }
                // A Paused that answers a Step, arriving after the user pressed Run,
                // or a Running that answers a Run after they pressed Pause, is stale.
                let stale = matches!(status, Status::Running | Status::Paused) && self.intent.is_some_and(|i| i != status);
                if !stale {
                    self.set_status(status);
                }
                if status == Status::Done {
                    super::progress::finished(&self.state.lab);
                }
                if matches!(status, Status::Done | Status::Error | Status::Idle) {
                    self.intent = None;
                }
                if let Some(m) = message {
                    self.notify(&m, if status == Status::Error { "error" } else { "info" });
                }
            }
            Event::Progress { label, done, total } => {
                if let Some(ui) = &self.ui {
                    let _ = ui.progress.set_attribute("max", &format!("{}", total.max(done).max(1e-9)));
                    let _ = ui.progress.set_attribute("value", &format!("{done}"));
                    let of = if total > 0.0 { format!(" of {total:.1}") } else { String::new() };
                    set_text(&ui.progress_text, &format!("{label}: {done:.1}{of}"));
                }
            }
            Event::Prediction { figure } => {
                self.predicting = false;
                match figure {
                    // A pad cleared while the worker was answering stays clear.
                    Ok(f) if self.pad_has_ink() => {
                        self.figures.insert(f.name.clone(), f);
                    }
                    Ok(_) => {}
                    Err(e) => self.notify(&format!("Could not classify the drawing: {e}"), "warning"),
                }
                self.request_frame();
                if self.sketch_dirty {
                    self.predict_sketch();
                }
            }
            Event::Model { kind, info, bytes } => self.on_model(kind, info, bytes),
            Event::Inspected { result } => self.on_inspected(result),
            Event::GpuLost { reason, message } => self.on_gpu_lost(&reason, &message),
            Event::Snapshot(mut snap) => {
                if snap.step == 0 {
                    self.series.clear();
                    self.figures.clear();
                }
                let first = self.latest.is_none() || snap.step == 0;
                for figure in std::mem::take(&mut snap.figures) {
                    if first {
                        self.first_figures.insert(figure.name.clone(), figure.clone());
                    }
                    self.figures.insert(figure.name.clone(), figure);
                }
                for Series { name, points } in &snap.series {
                    self.series.entry(name.clone()).or_default().extend(points);
                }
                self.latest = Some(snap);
                self.request_frame();
            }
        }
    }

    fn request_frame(&mut self) {
        if self.frame_pending {
            return;
        }
        self.frame_pending = true;
        let cb = Closure::once_into_js(|| {
            with_app(|app| {
                app.frame_pending = false;
                app.render();
            });
        });
        let _ = dom::window().request_animation_frame(cb.unchecked_ref());
    }

    fn render(&self) {
        let (Some(ui), Some(snap)) = (&self.ui, &self.latest) else { return };
        // A lab waiting for a model has no numbers yet: its zeros would read as scores.
        let waiting = self.waiting().then(|| Snapshot { metrics: Vec::new(), ..snap.clone() });
        let snap = waiting.as_ref().unwrap_or(snap);
        render::render(ui, render::Shown { snap, series: &self.series, figures: &self.figures });
    }

    /// Forgets what the last run showed.
    fn clear_figures(&mut self) {
        self.series.clear();
        self.latest = None;
        self.figures.clear();
        self.first_figures.clear();
    }
}
