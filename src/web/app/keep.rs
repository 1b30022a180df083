//! The page's side of the model store: a lab that takes a model (its spec
//! says so: `Takes::models`) is loaded after a look in IndexedDB, for the
//! checkpoint of this very run (resumed) or the model its link names; models
//! and checkpoints the worker sends are kept; the list's buttons and the
//! import work here.

use super::{with_app, App};
use crate::event::{Command, ModelInfo, ModelKind};
use crate::labs::{self, Kept};
use crate::web::dom::{add, el, on, set_text};
use crate::web::models::{self, size, Beside, StoredCheckpoint, StoredModel};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Element, HtmlInputElement};

/// A larger file is refused before it is read (the CLI's bound too).
const MAX_MODEL_BYTES: f64 = 512e6;

/// What a load found in the store.
pub(super) struct Found {
    checkpoint: Result<Option<StoredCheckpoint>, String>,
    named: Result<Option<StoredModel>, String>,
    /// The models a comparing lab's link sets beside the first, by hash.
    others: Vec<(String, Result<Option<StoredModel>, String>)>,
}

impl App {
    /// Whether the lab shown takes a model (and so shows the store).
    pub(super) fn takes_model(&self) -> bool {
        self.ui.as_ref().is_some_and(|ui| ui.models.is_some())
    }

    /// The run's identity for its checkpoint: its link without `run`, and
    /// without the backend, since a run goes on wherever it is asked to (on
    /// the CPU after a lost GPU, say).
    pub(super) fn run_key(&self) -> String {
        let mut state = self.state.clone();
        state.run = false;
        state.backend = crate::backend::BackendChoice::Auto;
        state.to_hash()
    }

    /// Looks in the store, then sends the load (a Run asked for meanwhile follows it).
    pub(super) fn load_from_store(&mut self, upload: Option<String>) {
        self.load_seq += 1;
        let seq = self.load_seq;
        self.loading = true;
        let key = self.run_key();
        let wanted = self.state.params.shown("model").to_string();
        let beside = self.beside().hashes();
        spawn_local(async move {
            let checkpoint = models::checkpoint(&key).await;
            let named = if wanted.is_empty() { Ok(None) } else { models::find(&wanted).await };
            let mut others = Vec::new();
            for hash in beside {
                let found = models::find(&hash).await;
                others.push((hash, found));
            }
            with_app(|app| app.finish_load(seq, upload, Found { checkpoint, named, others }));
        });
    }

    fn finish_load(&mut self, seq: u32, upload: Option<String>, found: Found) {
        if seq != self.load_seq {
            return; // another load was asked for since
        }
        self.loading = false;
        let wanted = self.state.params.shown("model").to_string();
        let model = match found.named {
            Ok(Some(m)) => Some(m.bytes),
            Ok(None) if !wanted.is_empty() => {
                self.notify(&format!("This link names the model {wanted}, which this browser does not keep. The lab trains a GPT of its own instead. To use that very model, import its file in the list below, or train one in Day 18: a finished run is kept in this list."), "warning");
                None
            }
            Ok(None) => None,
            Err(e) => {
                self.notify(&format!("The models kept in this browser cannot be read ({e}); the lab starts without one."), "warning");
                None
            }
        };
        let checkpoint = match found.checkpoint {
            Ok(Some(c)) if c.step < c.total => {
                self.series = c.series.into_iter().collect::<BTreeMap<_, _>>();
                self.notify(&format!("Resumed from this run's checkpoint at step {} of {}: press Run to go on. A checkpoint is kept every {:.0} seconds of training and at each pause.", c.step, c.total, models::CHECKPOINT_SECONDS), "info");
                Some(c.bytes)
            }
            _ => None,
        };
        let mut others = Vec::new();
        for (hash, found) in found.others {
            match found {
                Ok(Some(m)) => others.push(serde_bytes::ByteBuf::from(m.bytes)),
                Ok(None) => self.notify(&format!("This link sets the model {hash} beside the first, which this browser does not keep: import its file in the list below."), "warning"),
                Err(_) => {}
            }
        }
        let cmd = Command::Load { lab: self.state.lab.clone(), params: self.state.params.0.clone(), backend: self.state.backend, upload, model, others, checkpoint };
        self.send(cmd);
        if std::mem::take(&mut self.run_after_load) {
            self.run();
        }
        self.refresh_models();
    }

    /// The models the lab shown sets beside its first (its spec declares how many).
    pub(super) fn beside(&self) -> Beside {
        match labs::spec(&self.state.lab).map(|s| s.takes.models) {
            Some(Kept::Many) => Beside::Many(self.state.params.shown("models").split(',').map(str::trim).filter(|h| !h.is_empty()).map(String::from).collect()),
            Some(Kept::Two) => Beside::B(self.state.params.shown("model_b").to_string()),
            _ => Beside::Nothing,
        }
    }

    /// Redraws the list (and the course map's counts) from the store.
    pub(super) fn refresh_models(&self) {
        if !self.takes_model() {
            return;
        }
        let current = self.state.params.shown("model").to_string();
        let beside = self.beside();
        spawn_local(async move {
            let listed = models::list().await;
            with_app(|app| {
                let Some(ui) = app.ui.as_ref().and_then(|ui| ui.models.as_ref()) else { return };
                match listed {
                    Ok(list) => {
                        models::fill(ui, &list, &current, &beside);
                        crate::web::progress::count_kept(&list);
                    }
                    Err(e) => set_text(&ui.status, &format!("The models kept in this browser cannot be read: {e}.")),
                }
            });
        });
    }

    fn model_status(&self, text: &str) {
        if let Some(ui) = self.ui.as_ref().and_then(|ui| ui.models.as_ref()) {
            set_text(&ui.status, text);
        }
    }

    /// A model from the worker: a checkpoint of the run, or the trained model.
    pub(super) fn on_model(&mut self, kind: ModelKind, info: ModelInfo, bytes: Vec<u8>) {
        let key = self.run_key();
        match kind {
            ModelKind::Checkpoint => {
                let c = StoredCheckpoint { key, step: info.step, total: info.total_steps, series: self.series.clone().into_iter().collect(), bytes };
                spawn_local(async move {
                    let kept = models::keep_checkpoint(&c).await;
                    with_app(|app| match kept {
                        Ok(()) => app.model_status(&format!("Checkpoint kept at step {} of {}.", c.step, c.total)),
                        Err(e) => app.model_status(&format!("The checkpoint at step {} could not be kept ({e}); the training goes on.", c.step)),
                    });
                });
            }
            ModelKind::Trained => {
                let m = StoredModel::new(&info, bytes);
                spawn_local(async move {
                    let kept = models::keep(&m).await;
                    let _ = models::forget_checkpoint(&key).await;
                    with_app(|app| {
                        match kept {
                            Ok(()) => app.model_status(&format!("Kept “{}” in this browser ({}).", m.name, size(m.bytes.len()))),
                            Err(e) => {
                                app.notify(&format!("The trained model could not be kept in this browser: {e}. Export it instead with the button below the list."), "warning");
                                app.offer_download(m);
                            }
                        }
                        app.refresh_models();
                    });
                });
            }
        }
    }

    /// Where the store refused a model: a button that downloads it from memory.
    fn offer_download(&self, m: StoredModel) {
        let Some(ui) = self.ui.as_ref().and_then(|ui| ui.models.as_ref()) else { return };
        set_text(&ui.status, "Not kept in this browser: ");
        let button = add(&ui.status, el("button", &[("type", "button"), ("data-model-action", "download-unkept")], "Export .safetensors"));
        on(&button, "click", move |_| models::download(&format!("{}.safetensors", models::file_stem(&m.name)), &m.bytes, "application/octet-stream"));
    }

    /// A button of the list: use, export, config or delete the model `hash`.
    fn model_action(&mut self, action: &str, hash: String) {
        match action {
            "use" | "use-b" => {
                self.on_setting(if action == "use" { "model" } else { "model_b" }, &hash);
                self.restore_controls();
                self.refresh_models();
            }
            "add" | "remove" => {
                let mut list = self.beside().hashes();
                list.retain(|h| *h != hash);
                if action == "add" {
                    list.push(hash);
                }
                self.on_setting("models", &list.join(","));
                self.restore_controls();
                self.refresh_models();
            }
            "export" | "config" => {
                let config = action == "config";
                spawn_local(async move {
                    match models::find(&hash).await {
                        Ok(Some(m)) if config => models::download(&format!("{}.json", models::file_stem(&m.name)), m.config.as_bytes(), "application/json"),
                        Ok(Some(m)) => models::download(&format!("{}.safetensors", models::file_stem(&m.name)), &m.bytes, "application/octet-stream"),
                        _ => {
                            with_app(|app| app.model_status("That model is no longer kept here."));
                        }
                    }
                });
            }
            "delete" => spawn_local(async move {
                let gone = models::forget(&hash).await;
                with_app(|app| {
                    app.model_status(&match gone {
                        Ok(()) => format!("Deleted the model {hash}."),
                        Err(e) => format!("The model could not be deleted: {e}."),
                    });
                    app.refresh_models();
                });
            }),
            _ => {}
        }
    }

    /// The worker's verdict on an imported file: keep it, or say what is wrong.
    pub(super) fn on_inspected(&mut self, result: Result<ModelInfo, String>) {
        let Some(bytes) = self.pending_import.take() else { return };
        match result {
            Ok(info) => {
                let m = StoredModel::new(&info, bytes);
                spawn_local(async move {
                    let kept = models::keep(&m).await;
                    with_app(|app| {
                        app.model_status(&match kept {
                            Ok(()) => format!("Imported “{}” ({}, {}). Press Use to start from it.", m.name, size(m.bytes.len()), m.hash),
                            Err(e) => format!("The file is a good model, but this browser would not keep it: {e}."),
                        });
                        app.refresh_models();
                    });
                });
            }
            Err(e) => self.model_status(&format!("Not imported: {e}. Nothing was changed.")),
        }
    }

    /// Reads the chosen file and asks the worker to check it.
    async fn import(input: HtmlInputElement) {
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        if file.size() > MAX_MODEL_BYTES {
            let text = format!("Not imported: {} is {:.1} GB, far more than any model here (at most {:.0} MB). Nothing was changed.", file.name(), file.size() / 1e9, MAX_MODEL_BYTES / 1e6);
            with_app(|app| app.model_status(&text));
            return;
        }
        let bytes = match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
            Err(_) => {
                with_app(|app| app.model_status("Not imported: the file could not be read. Nothing was changed."));
                return;
            }
        };
        with_app(|app| {
            app.pending_import = Some(bytes.clone());
            app.model_status(&format!("Checking {}…", file.name()));
            app.send(Command::Inspect { bytes });
        });
    }

    /// The list's buttons (one listener for all rows) and the import.
    pub(super) fn wire_models(&self) {
        let Some(ui) = self.ui.as_ref().and_then(|ui| ui.models.as_ref()) else { return };
        on(&ui.rows, "click", |e| {
            let Some(button) = e.target().and_then(|t| t.dyn_into::<Element>().ok()).and_then(|t| t.closest("button[data-model-action]").ok().flatten()) else { return };
            let (Some(action), Some(hash)) = (button.get_attribute("data-model-action"), button.get_attribute("data-hash")) else { return };
            with_app(|app| app.model_action(&action, hash));
        });
        let input = ui.import.clone();
        on(&ui.import, "change", move |_| spawn_local(App::import(input.clone().unchecked_into())));
        self.refresh_models();
    }
}
