//! A lab that scores two kept models (Day 25, eval) opens with the sensible
//! ones chosen: the latest CoT model kept here as Model and the latest plain
//! one as Model B, and says so. Asked once each time the lab is shown, so a
//! field the person empties stays empty.

use super::{with_app, App};
use crate::labs::{self, Kept};
use crate::web::models::{self, StoredModel};
use wasm_bindgen_futures::spawn_local;

impl App {
    /// Whether the lab shown scores two kept models and its link names none.
    pub(super) fn should_choose(&self) -> bool {
        !self.chose && labs::spec(&self.state.lab).is_some_and(|s| s.takes.models == Kept::Two) && self.state.params.shown("model").is_empty()
    }

    /// Chooses from the store, then loads (a Run asked for meanwhile follows).
    pub(super) fn choose_then_load(&mut self, upload: Option<String>) {
        self.chose = true;
        self.load_seq += 1;
        let seq = self.load_seq;
        self.loading = true;
        spawn_local(async move {
            let kept = models::list().await.unwrap_or_default();
            with_app(|app| {
                if seq == app.load_seq {
                    app.choose(kept);
                    app.load_from_store(upload);
                }
            });
        });
    }

    fn choose(&mut self, mut kept: Vec<StoredModel>) {
        kept.sort_by(|a, b| b.date.total_cmp(&a.date));
        let latest = |lab: &str, not: &str| kept.iter().find(|m| m.lab == lab && m.hash != not).cloned();
        let Some(first) = latest("cot", "") else { return };
        let schema = labs::schema(&self.state.lab);
        if self.state.params.set(&schema, "model", &first.hash).is_err() {
            return;
        }
        let mut said = format!("Chose “{}”, the latest CoT model kept here, as Model", first.name);
        if let Some(b) = latest("gpt-mini", &first.hash).filter(|_| self.state.params.shown("model_b").is_empty()) {
            if self.state.params.set(&schema, "model_b", &b.hash).is_ok() {
                said.push_str(&format!(", and “{}”, the latest plain one, as Model B", b.name));
            }
        }
        said.push_str(". Change them with Use and Use as B in the list below.");
        self.restore_controls();
        self.write_hash();
        self.notify(&said, "info");
    }
}
