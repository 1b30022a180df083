//! The drawing pad: pointer strokes in white on black, read back as ink for the
//! model. Works with a mouse, a pen or a finger (pointer events).

use super::dom::on;
use crate::data::mnist;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};

fn context(pad: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    // The pad is read back after every stroke: ask for a CPU-side canvas.
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"willReadFrequently".into(), &true.into());
    pad.get_context_with_context_options("2d", &options).ok().flatten().map(JsCast::unchecked_into)
}

/// Paints the pad black.
pub fn clear(pad: &HtmlCanvasElement) {
    if let Some(ctx) = context(pad) {
        ctx.set_fill_style_str("#000");
        ctx.fill_rect(0.0, 0.0, pad.width() as f64, pad.height() as f64);
    }
}

/// The pad as a 28 × 28 MNIST-like input (0–1), centred as MNIST's digits are.
pub fn read_digit(pad: &HtmlCanvasElement) -> Vec<f32> {
    let side = pad.width().min(pad.height()) as usize;
    let Some(ctx) = context(pad) else { return vec![0.0; mnist::PIXELS] };
    let Ok(image) = ctx.get_image_data(0.0, 0.0, side as f64, side as f64) else { return vec![0.0; mnist::PIXELS] };
    let rgba = image.data();
    let ink: Vec<f32> = rgba.chunks_exact(4).map(|px| px[0] as f32 / 255.0).collect();
    mnist::sketch_to_digit(&ink, side)
}

/// Wires the pointer strokes; `changed` runs after each piece of a stroke.
pub fn wire(pad: &HtmlCanvasElement, changed: impl Fn() + 'static) {
    clear(pad);
    let last: Rc<Cell<Option<(f64, f64)>>> = Rc::new(Cell::new(None));
    let changed = Rc::new(changed);
    let at = |pad: &HtmlCanvasElement, e: &PointerEvent| {
        let rect = pad.get_bounding_client_rect();
        let sx = pad.width() as f64 / rect.width().max(1.0);
        let sy = pad.height() as f64 / rect.height().max(1.0);
        ((e.client_x() as f64 - rect.left()) * sx, (e.client_y() as f64 - rect.top()) * sy)
    };
    let stroke = move |pad: &HtmlCanvasElement, from: (f64, f64), to: (f64, f64)| {
        if let Some(ctx) = context(pad) {
            ctx.set_stroke_style_str("#fff");
            ctx.set_line_width(pad.width() as f64 / 12.0);
            ctx.set_line_cap("round");
            ctx.begin_path();
            ctx.move_to(from.0, from.1);
            ctx.line_to(to.0, to.1);
            ctx.stroke();
        }
    };
    {
        let (p, last, changed) = (pad.clone(), last.clone(), changed.clone());
        on(pad, "pointerdown", move |e| {
            let Some(e) = e.dyn_ref::<PointerEvent>() else { return };
            e.prevent_default();
            let _ = p.set_pointer_capture(e.pointer_id());
            let here = at(&p, e);
            stroke(&p, here, here);
            last.set(Some(here));
            changed();
        });
    }
    {
        let (p, last, changed) = (pad.clone(), last.clone(), changed.clone());
        on(pad, "pointermove", move |e| {
            let (Some(e), Some(from)) = (e.dyn_ref::<PointerEvent>(), last.get()) else { return };
            let here = at(&p, e);
            stroke(&p, from, here);
            last.set(Some(here));
            changed();
        });
    }
    for end in ["pointerup", "pointercancel", "pointerleave"] {
        let last = last.clone();
        on(pad, end, move |_| last.set(None));
    }
}
