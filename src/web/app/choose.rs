//! A lab that scores kept models (Days 25, 29 and 30) opens with the sensible
//! ones chosen, and says so: eval the latest CoT model as Model and the
//! latest plain one as Model B; compare and report every model kept from
//! week 4, the latest CoT one first. Asked once each time the lab is shown,
//! so a field the person empties stays empty. With nothing to choose the lab
//! waits (status `waiting`) and says where models come from.

use super::{with_app, App};
use crate::event::Status;
use crate::labs::{self, catalog, Kept};
use crate::web::models::{self, StoredModel};
use wasm_bindgen_futures::spawn_local;

impl App {
    fn scores_kept(&self) -> bool {
        labs::spec(&self.state.lab).is_some_and(|s| matches!(s.takes.models, Kept::Two | Kept::Many))
    }

    /// Whether the lab shown scores kept models and its link names none.
    pub(super) fn should_choose(&self) -> bool {
        !self.chose && self.waiting()
    }

    /// A lab that scores kept models has nothing to run before one is named.
    pub(super) fn waiting(&self) -> bool {
        self.scores_kept() && self.state.params.shown("model").is_empty()
    }

    /// Run on a lab with no model: it stays waiting, and says what to do.
    pub(super) fn wait_for_model(&mut self) {
        self.intent = None;
        self.set_status(Status::Waiting);
        self.notify("This lab scores models kept in this browser, and none is chosen: keep one on Days 23–28 (a plain, CoT, PPO, DPO or calculator model), or import a model file in the list below, then press Use and Run.", "warning");
    }

    /// Chooses from the store, then loads (a Run asked for meanwhile follows).
    pub(super) fn choose_then_load(&mut self, upload: Option<String>) {
        self.chose = true;
        self.load_seq += 1;
        let seq = self.load_seq;
        self.loading = true;
        let lab = self.state.lab.clone();
        spawn_local(async move {
            let kept = models::list().await.unwrap_or_default();
            with_app(|app| {
                // Still this lab with nothing named: a load asked for meanwhile
                // (a worker started, a backend chosen) does not lose the choice.
                if app.state.lab == lab && app.waiting() {
                    app.choose(kept);
                    app.load_from_store(upload);
                } else if seq == app.load_seq {
                    app.load_from_store(upload);
                }
            });
        });
    }

    fn choose(&mut self, mut kept: Vec<StoredModel>) {
        kept.retain(|m| catalog::find(&m.lab).is_some_and(|l| l.week() == 4));
        kept.sort_by(|a, b| b.date.total_cmp(&a.date));
        let Some(first) = kept.iter().find(|m| m.lab == "cot").or(kept.first()).cloned() else { return };
        let many = labs::spec(&self.state.lab).is_some_and(|s| s.takes.models == Kept::Many);
        let schema = labs::schema(&self.state.lab);
        if self.state.params.set(&schema, "model", &first.hash).is_err() {
            return;
        }
        let what = if first.lab == "cot" { "the latest CoT model kept here" } else { "the latest model kept from week 4" };
        let mut said = format!("Chose “{}”, {what}, as {}", first.name, if many { "the first" } else { "Model" });
        let others = kept.iter().filter(|m| m.hash != first.hash);
        if many && self.state.params.shown("models").is_empty() {
            // As many as the setting holds (a hash and a comma each), newest first.
            let max = schema.iter().find(|s| s.key == "models").map_or(0, |s| s.max_len());
            let mut list: Vec<&str> = others.map(|m| m.hash.as_str()).collect();
            while list.join(",").len() > max {
                list.pop();
            }
            if !list.is_empty() && self.state.params.set(&schema, "models", &list.join(",")).is_ok() {
                let n = list.len();
                said.push_str(&if n == 1 { ", and the other model kept from week 4 beside it".into() } else { format!(", and the {n} other models kept from week 4 beside it") });
            }
            said.push_str(". Change them with Use, Add and Remove in the list below.");
        } else if !many {
            let plain = kept.iter().find(|m| m.lab == "gpt-mini" && m.hash != first.hash);
            if let Some(b) = plain.filter(|_| self.state.params.shown("model_b").is_empty()) {
                if self.state.params.set(&schema, "model_b", &b.hash).is_ok() {
                    said.push_str(&format!(", and “{}”, the latest plain one, as Model B", b.name));
                }
            }
            said.push_str(". Change them with Use and Use as B in the list below.");
        }
        self.restore_controls();
        self.write_hash();
        self.notify(&said, "info");
    }
}
