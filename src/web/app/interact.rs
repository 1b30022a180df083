//! The keyboard, copying the link, and the interactive extras of some labs:
//! the drawing pad, hovering a plot of points, exporting a report. Split from
//! `app` to keep it readable.

use super::{with_app, App};
use crate::event::{Command, Status};
use crate::web::dom::{self, on, set_text};
use crate::web::page::LabUi;
use crate::web::upload::{self, Upload};
use crate::web::{charts, export, sketch};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};

/// Wires the extras a lab's page has.
pub(super) fn wire(ui: &LabUi) {
    // Any canvas may show points; those that never do have nothing to label.
    for (spec, chart) in &ui.charts {
        let Some(canvas) = chart.canvas.clone() else { continue };
        let name = spec.name;
        let target = canvas.clone();
        on(&target, "mousemove", move |e| {
            let Some(e) = e.dyn_ref::<web_sys::MouseEvent>() else { return };
            let rect = canvas.get_bounding_client_rect();
            let sx = canvas.width() as f64 / rect.width().max(1.0);
            let x = (e.client_x() as f64 - rect.left()) * sx;
            let y = (e.client_y() as f64 - rect.top()) * sx;
            let Some(label) = charts::points::label_at(name, x, y) else { return };
            let _ = canvas.set_attribute("title", &label);
            let _ = canvas.set_attribute("data-hover", &label);
        });
    }
    if let Some(pad) = &ui.sketch {
        sketch::wire(&pad.pad, || {
            with_app(App::predict_sketch);
        });
        let canvas = pad.pad.clone();
        let figure = pad.figure;
        on(&pad.clear, "click", move |_| {
            sketch::clear(&canvas);
            with_app(|a| {
                match a.first_figures.get(figure) {
                    Some(first) => a.figures.insert(figure.to_string(), first.clone()),
                    None => a.figures.remove(figure),
                };
                a.sketch_dirty = false;
                a.request_frame();
            });
        });
    }
    if let Some(up) = &ui.upload {
        let input = up.input.clone();
        let key = up.key;
        on(&up.input, "change", move |_| {
            let input: HtmlInputElement = input.clone().unchecked_into();
            wasm_bindgen_futures::spawn_local(async move {
                let read = upload::read(&input).await;
                with_app(|a| a.take_upload(key, read));
            });
        });
    }
    if let Some(export) = &ui.buttons.export {
        on(export, "click", |_| {
            with_app(|a| a.export_report(export::Form::Html));
        });
    }
    if let Some(export) = &ui.buttons.export_md {
        on(export, "click", |_| {
            with_app(|a| a.export_report(export::Form::MarkdownZip));
        });
    }
}

impl App {
    pub(super) fn on_key(&mut self, key: &KeyboardEvent) {
        let typing = dom::document()
            .active_element()
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"));
        if typing || key.ctrl_key() || key.meta_key() || key.alt_key() || self.ui.is_none() {
            return;
        }
        match key.key().as_str() {
            " " => {
                key.prevent_default();
                if self.status == Status::Running { self.pause() } else { self.run() }
            }
            "s" | "S" => self.step(),
            "r" | "R" => self.reset(),
            "c" | "C" => self.copy_link(),
            "e" | "E" => self.export_report(export::Form::Html),
            "m" | "M" => self.export_report(export::Form::MarkdownZip),
            _ => {}
        }
    }

    pub(super) fn copy_link(&self) {
        let Some(ui) = &self.ui else { return };
        let href = dom::window().location().href().unwrap_or_default();
        let done = ui.copied.clone();
        let promise = dom::window().navigator().clipboard().write_text(&href);
        wasm_bindgen_futures::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            set_text(&done, if ok { "Link copied." } else { "Copy the link from the box below." });
        });
        let input: &HtmlInputElement = ui.link.unchecked_ref();
        input.select();
    }

    /// Sends the drawing to the worker, one request at a time: a drawing that
    /// changes while one is being classified is sent again when the answer comes.
    pub(super) fn predict_sketch(&mut self) {
        let Some(pad) = self.ui.as_ref().and_then(|ui| ui.sketch.as_ref()) else { return };
        if self.predicting {
            self.sketch_dirty = true;
            return;
        }
        let pixels = sketch::read_digit(&pad.pad);
        if pixels.iter().all(|&p| p == 0.0) {
            return;
        }
        self.predicting = true;
        self.sketch_dirty = false;
        self.send(Command::Predict { pixels });
    }

    pub(super) fn pad_has_ink(&self) -> bool {
        let pad = self.ui.as_ref().and_then(|ui| ui.sketch.as_ref());
        pad.is_some_and(|p| sketch::read_digit(&p.pad).iter().any(|&v| v > 0.0))
    }

    /// Says which text of the user's the lab would train on.
    pub(super) fn show_upload(&self) {
        let Some(up) = self.ui.as_ref().and_then(|ui| ui.upload.as_ref()) else { return };
        let text = match &self.upload {
            Some(u) => format!("{}, kept in this browser.", u.describe()),
            None => "No file chosen yet.".to_string(),
        };
        set_text(&up.status, &text);
    }

    /// A file was read: keep it, and train on it.
    pub(super) fn take_upload(&mut self, key: &str, read: Result<Upload, String>) {
        match read {
            Ok(up) => {
                if let Err(why) = upload::store(&up) {
                    self.notify(&format!("{}: {why}, so it is used for this visit only.", up.describe()), "warning");
                }
                self.upload = Some(up);
                self.show_upload();
                self.on_setting(key, "file");
                self.restore_controls();
            }
            Err(why) => self.notify(&why, "error"),
        }
    }

    pub(super) fn export_report(&self, form: export::Form) {
        if let (Some(ui), Some(snap)) = (&self.ui, &self.latest) {
            if ui.buttons.export.is_some() {
                export::export(&self.state.lab, ui, &snap.note, &self.figures, form);
            }
        }
    }
}
