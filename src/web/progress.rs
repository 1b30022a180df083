//! The course map's progress: which days were run to the end in this browser,
//! and how many models each day kept. Read from the browser's own storage
//! (localStorage for the days run, IndexedDB for the kept models); nothing
//! leaves it.

use super::dom;
use super::models::StoredModel;
use super::page::mark_day;
use std::collections::BTreeMap;
use wasm_bindgen_futures::spawn_local;

/// The ids of the labs run to the end here, separated by commas.
const DAYS_RUN: &str = "reasonlab-days-run";

fn days_run() -> Vec<String> {
    let stored = dom::window().local_storage().ok().flatten().and_then(|s| s.get_item(DAYS_RUN).ok().flatten()).unwrap_or_default();
    stored.split(',').filter(|id| crate::labs::spec(id).is_some()).map(String::from).collect()
}

/// A run of `lab` finished: its day is marked, now and on later visits.
pub fn finished(lab: &str) {
    let mut run = days_run();
    if !run.iter().any(|id| id == lab) {
        run.push(lab.to_string());
        if let Some(storage) = dom::window().local_storage().ok().flatten() {
            // A full or refused storage leaves the mark for this visit only.
            let _ = storage.set_item(DAYS_RUN, &run.join(","));
        }
    }
    refresh_run(&run);
}

/// Marks every day from storage: the days run at once, the models kept when
/// IndexedDB answers.
pub fn refresh() {
    refresh_run(&days_run());
    spawn_local(async {
        if let Ok(models) = super::models::list().await {
            count_kept(&models);
        }
    });
}

/// Marks each day with the number of models it kept, from the store's list.
pub fn count_kept(models: &[StoredModel]) {
    let mut kept: BTreeMap<&str, usize> = BTreeMap::new();
    for m in models {
        *kept.entry(m.lab.as_str()).or_default() += 1;
    }
    for lab in crate::labs::LABS {
        mark_day(lab.id, "kept-mark", "data-kept", kept.get(lab.id).map(|n| format!("{n} kept")).as_deref());
    }
}

fn refresh_run(run: &[String]) {
    for lab in crate::labs::LABS {
        mark_day(lab.id, "run-mark", "data-run", run.iter().any(|id| id == lab.id).then_some("✓ run"));
    }
}
