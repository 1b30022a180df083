//! A lost GPU. The browser can take the WebGPU device away mid-run (a driver
//! reset, a laptop switching GPUs, a phone freezing a background tab);
//! www/gpu-watch.js says so. That worker cannot go on, so it goes: the run
//! pauses with what it showed, its last checkpoint stays kept, and one button
//! goes on from that checkpoint on the CPU (Run tries the GPU again).

use super::{with_app, App};
use crate::backend::BackendChoice;
use crate::event::Status;
use crate::web::dom::{add, el, on};
use crate::web::models;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlSelectElement;

impl App {
    pub(super) fn on_gpu_lost(&mut self, reason: &str, message: &str) {
        // Whatever the worker still says is the loss's echo ("the staging
        // buffer could not be mapped"): a new generation drops it.
        self.retire_worker();
        self.worker_dead = true;
        self.run_after_load = false;
        self.remove_notices(".error, .gpu-lost");
        let mid_run = matches!(self.status, Status::Running | Status::Paused | Status::Error);
        if mid_run {
            self.intent = Some(Status::Paused);
            self.set_status(Status::Paused);
        }
        let step = self.latest.as_ref().map(|s| s.step).filter(|_| mid_run);
        let said = if message.is_empty() { reason.to_string() } else { format!("{reason}: {message}") };
        let at = step.map(|s| format!(" at step {s}")).unwrap_or_default();
        let head = format!("The GPU stopped{at}: the browser took the WebGPU device away (“{said}”). ");
        let takes_model = self.takes_model();
        let key = self.run_key();
        spawn_local(async move {
            // What the CPU would go on from: this run's last kept checkpoint.
            let kept = if takes_model { models::checkpoint(&key).await.ok().flatten() } else { None };
            let from = match kept {
                Some(c) if c.step < c.total => format!("Its last checkpoint, step {} of {}, is kept: the CPU goes on from there.", c.step, c.total),
                _ if !mid_run => "Nothing was running.".to_string(),
                _ if takes_model => format!("No checkpoint was kept yet (one is, every {:.0} seconds of training and at each pause): on the CPU the run starts again.", models::CHECKPOINT_SECONDS),
                _ => "This lab keeps no checkpoints: on the CPU the run starts again.".to_string(),
            };
            with_app(|app| app.offer_cpu(&format!("{head}{from}")));
        });
    }

    /// The notice of a lost GPU, with its way on.
    fn offer_cpu(&self, text: &str) {
        let box_ = add(&self.shell.notices, el("div", &[("class", "warning gpu-lost"), ("role", "alert")], ""));
        add(&box_, el("p", &[], text));
        let button = add(&box_, el("button", &[("type", "button"), ("data-action", "cpu-after-loss")], "Go on on the CPU"));
        add(&box_, el("span", &[], " or press Run to try the GPU again."));
        on(&button, "click", |_| {
            with_app(App::go_on_on_cpu);
        });
    }

    /// Switches the lab to the CPU and runs it: the checkpoint is found under
    /// the run's key, which leaves the backend out.
    fn go_on_on_cpu(&mut self) {
        self.state.backend = BackendChoice::Cpu;
        if let Some(select) = self.ui.as_ref().and_then(|ui| ui.backend.dyn_ref::<HtmlSelectElement>()) {
            select.set_value(BackendChoice::Cpu.name());
        }
        self.write_hash();
        self.remove_notices(".gpu-lost");
        self.load();
        self.run();
    }

    /// Takes the notices `selector` matches (among the page's notices) away.
    fn remove_notices(&self, selector: &str) {
        if let Ok(found) = self.shell.notices.query_selector_all(selector) {
            for i in 0..found.length() {
                if let Some(node) = found.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                    node.remove();
                }
            }
        }
    }
}
