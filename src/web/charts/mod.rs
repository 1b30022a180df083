//! Figures drawn with plotters on a canvas: one kind of figure per file, one
//! drawing function each. Captions come with the figure, computed by the lab.

pub mod bars;
pub mod counts;
pub mod curve;
pub mod hbars;
pub mod heatmaps;
pub mod images;
pub mod lines;
pub mod plane;
pub mod points;
pub mod ranked;
pub mod tokens;

use crate::figure::Plot;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::RGBColor;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub const BLUE: RGBColor = RGBColor(37, 99, 235);
pub const ORANGE: RGBColor = RGBColor(234, 88, 12);
pub const GREY: RGBColor = RGBColor(120, 120, 120);

/// One colour per model (or series), in the order the lab lists them.
pub fn model_colour(k: usize) -> RGBColor {
    [BLUE, ORANGE, RGBColor(22, 163, 74), GREY][k % 4]
}

/// Draws a figure's plot on its canvas: one arm per kind of figure.
pub fn draw(canvas: &HtmlCanvasElement, name: &str, plot: &Plot) {
    let _ = canvas.remove_attribute("data-empty");
    match plot {
        Plot::Empty => clear(canvas),
        Plot::Plane(p) => plane::draw(canvas, p),
        Plot::HBars(b) => hbars::draw(canvas, b),
        Plot::Bars(b) => bars::draw(canvas, b),
        Plot::Counts(c) => counts::draw(canvas, c),
        Plot::Images(i) => images::draw(canvas, i),
        Plot::Ranked(r) => ranked::draw(canvas, r),
        Plot::Heatmaps(h) => heatmaps::draw(canvas, h),
        Plot::Points(p) => points::draw(canvas, name, p),
        Plot::Lines(l) => lines::draw(canvas, l),
        Plot::Tokens(t) => tokens::draw(canvas, t),
        // Tables and downloads are HTML, filled by `render`; a canvas never gets one.
        Plot::Table(_) | Plot::Download(_) => clear(canvas),
    }
}

/// A white canvas: a figure with nothing to show yet.
pub fn clear(canvas: &HtmlCanvasElement) {
    if let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) {
        let root = backend.into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = root.present();
    }
}

/// A plot with nothing in it yet (a report before its models are chosen):
/// a short line in place of empty axes, whose labels would all read 0.0. The
/// figure's caption, written by the lab, says what to do.
pub fn nothing_yet(canvas: &HtmlCanvasElement) {
    let _ = canvas.set_attribute("data-empty", "");
    if let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) {
        let root = backend.into_drawing_area();
        let _ = root.fill(&WHITE);
        let (w, h) = root.dim_in_pixel();
        let style = TextStyle::from(("sans-serif", 14).into_font()).color(&GREY).pos(Pos::new(HPos::Center, VPos::Center));
        let _ = root.draw(&Text::new("Nothing to draw yet", (w as i32 / 2, h as i32 / 2), style));
        let _ = root.present();
    }
}
