//! The whole registry at once: every built lab starts with its defaults, takes
//! a few steps and shows every figure its spec declares, with a caption; its
//! presets and settings hold together. A new lab is checked by this file
//! without being named in it.

use reasonlab::data::files::DataFiles;
use reasonlab::figure::Shape;
use reasonlab::event::Snapshot;
use reasonlab::labs::{self, LabSpec, Training, REGISTRY};
use reasonlab::settings::{Kind, Params};
use std::collections::BTreeSet;

fn defaults(id: &str) -> Params {
    Params::defaults(&labs::schema(id))
}

fn start(id: &str) -> Box<dyn Training> {
    let params = defaults(id);
    let spec = labs::spec(id).unwrap();
    let names = (spec.data)(&params).unwrap_or_else(|e| panic!("{id}: data files: {e}"));
    let files = DataFiles::read_dir(&DataFiles::default_dir(), names).unwrap();
    labs::start(id, &params, &reasonlab::backend::cpu(), &files).unwrap_or_else(|e| panic!("{id} does not start with its defaults: {e}"))
}

/// Takes up to `steps` steps, with a snapshot between chunks where the lab
/// limits them (as the worker does), and returns the last snapshot with the
/// figures of the earlier ones that it did not replace (as the page keeps them).
fn snapshot_after(id: &str, lab: &mut dyn Training, steps: usize) -> Snapshot {
    let before = lab.steps_done();
    let chunk = lab.max_chunk().unwrap_or(steps).max(1);
    let mut kept = Vec::new();
    let mut taken = 0;
    loop {
        for _ in 0..chunk.min(steps - taken) {
            if !lab.is_done() {
                lab.step();
            }
        }
        taken += chunk.min(steps - taken);
        let mut snap = pollster::block_on(lab.snapshot()).unwrap_or_else(|e| panic!("{id}: snapshot failed: {e}"));
        if taken >= steps {
            kept.retain(|f: &reasonlab::figure::Figure| snap.figure(&f.name).is_none());
            snap.figures.extend(kept);
            assert_eq!(lab.steps_done(), (before + steps).min(lab.total_steps()), "{id}: steps_done counts the steps taken");
            return snap;
        }
        kept.retain(|f: &reasonlab::figure::Figure| snap.figure(&f.name).is_none());
        kept.append(&mut snap.figures);
    }
}

fn first_snapshot(id: &str, steps: usize) -> Snapshot {
    snapshot_after(id, start(id).as_mut(), steps)
}

/// What must hold of a lab's first snapshot for the page to draw all it declares.
fn check_figures(id: &str, spec: &LabSpec, snap: &Snapshot) -> Result<(), String> {
    let declared: BTreeSet<&str> = spec.figures.iter().map(|f| f.name).collect();
    if declared.len() != spec.figures.len() {
        return Err(format!("{id}: two figures share a name"));
    }
    for f in spec.figures.iter().filter(|f| !matches!(f.shape, Shape::Curve { .. })) {
        let figure = snap.figure(f.name).ok_or_else(|| format!("{id}: the first snapshot has no figure {:?}", f.name))?;
        if figure.caption.trim().is_empty() {
            return Err(format!("{id}: figure {:?} has an empty caption", f.name));
        }
    }
    if let Some(stray) = snap.figures.iter().find(|f| !declared.contains(f.name.as_str())) {
        return Err(format!("{id}: sends figure {:?}, which its spec does not declare", stray.name));
    }
    if snap.note.trim().is_empty() {
        return Err(format!("{id}: the note is empty"));
    }
    Ok(())
}

/// The names of a lab's curves that have points in this snapshot.
fn curves_drawn(spec: &LabSpec, snap: &Snapshot) -> Vec<String> {
    let curves: Vec<&str> = spec.figures.iter().filter(|f| matches!(f.shape, Shape::Curve { .. })).map(|f| f.name).collect();
    snap.series.iter().filter(|s| curves.contains(&s.name.as_str()) && !s.points.is_empty()).map(|s| s.name.clone()).collect()
}

#[test]
fn every_lab_starts_steps_and_shows_the_figures_it_declares() {
    for entry in REGISTRY {
        let mut lab = start(entry.id);
        assert!(lab.total_steps() > 0, "{}: no steps to take", entry.id);
        let snap = snapshot_after(entry.id, lab.as_mut(), 3);
        check_figures(entry.id, entry.spec, &snap).unwrap();
        assert!(!snap.metrics.is_empty(), "{}: no metrics", entry.id);
        // The page tells a learner to keep what these labs train: they save it
        // (an RL lab still warming up has nothing yet, but says so), the rest say they keep none.
        let saved = pollster::block_on(lab.save());
        let keeps_none = saved.as_ref().err().is_some_and(|e| e == "this lab keeps no model to save");
        assert_eq!(!keeps_none, entry.spec.takes.keeps, "{}: declares keeps = {}, save() says {:?}", entry.id, entry.spec.takes.keeps, saved.err());
        // Some curves come only with an evaluation (a pass over the test set):
        // within a few hundred steps at least one of them must have points.
        let has_curves = entry.spec.figures.iter().any(|f| matches!(f.shape, Shape::Curve { .. }));
        let mut drawn = curves_drawn(entry.spec, &snap);
        while has_curves && drawn.is_empty() && !lab.is_done() && lab.steps_done() < 400 {
            drawn = curves_drawn(entry.spec, &snapshot_after(entry.id, lab.as_mut(), 25));
        }
        assert!(!has_curves || !drawn.is_empty(), "{}: none of its curves got a point in {} steps", entry.id, lab.steps_done());
    }
}

#[test]
fn a_declared_figure_that_never_comes_fails_the_check() {
    let snap = first_snapshot("perceptron", 3);
    let spec = labs::spec("perceptron").unwrap();
    let ghost = [spec.figures, &[reasonlab::figure::FigureSpec::plot("ghost", "A figure the lab never sends")]].concat().leak();
    let with_a_ghost = LabSpec { figures: ghost, ..*spec };
    assert!(check_figures("perceptron", spec, &snap).is_ok());
    let err = check_figures("perceptron", &with_a_ghost, &snap).unwrap_err();
    assert!(err.contains("no figure \"ghost\""), "{err}");
}

#[test]
fn every_registered_lab_is_on_the_course_and_named_once() {
    let ids: Vec<&str> = REGISTRY.iter().map(|e| e.id).collect();
    for id in &ids {
        assert!(labs::find(id).is_some(), "{id} is registered but not in the catalog");
        assert_eq!(ids.iter().filter(|x| *x == id).count(), 1, "{id} is registered twice");
    }
}

/// A preset is one recipe whatever was picked before it: the logic preset's
/// rate, batch and position gaps once carried into the addition preset.
#[test]
fn a_preset_is_the_same_recipe_after_any_other() {
    for entry in REGISTRY {
        let schema = labs::schema(entry.id);
        for preset in entry.spec.presets {
            let mut fresh = defaults(entry.id);
            preset.apply(&schema, &mut fresh).unwrap_or_else(|e| panic!("{}: preset {:?}: {e}", entry.id, preset.name));
            for before in entry.spec.presets {
                let mut p = defaults(entry.id);
                p.set(&schema, "seed", "7").unwrap();
                before.apply(&schema, &mut p).unwrap();
                preset.apply(&schema, &mut p).unwrap();
                assert_eq!(p.get("seed").unwrap(), "7", "{}: a preset changed the seed", entry.id);
                // Free text (models, prompts, sentences) is the person's and stays.
                for s in schema.iter().filter(|s| s.key == "seed" || matches!(s.kind, Kind::Text { .. })) {
                    p.0.insert(s.key.to_string(), fresh.get(s.key).unwrap().to_string());
                }
                assert_eq!(p, fresh, "{}: preset {:?} after {:?}", entry.id, preset.name, before.name);
            }
        }
    }
}

#[test]
fn presets_and_live_settings_name_real_settings() {
    for entry in REGISTRY {
        let schema = labs::schema(entry.id);
        for preset in entry.spec.presets {
            let mut p = defaults(entry.id);
            preset.apply(&schema, &mut p).unwrap_or_else(|e| panic!("{}: preset {:?}: {e}", entry.id, preset.name));
            (entry.spec.data)(&p).unwrap_or_else(|e| panic!("{}: preset {:?}: {e}", entry.id, preset.name));
        }
        for key in entry.spec.live {
            assert!(schema.iter().any(|s| s.key == *key), "{}: live setting {key} is not a setting", entry.id);
        }
    }
}
