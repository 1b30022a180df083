//! A square of the plane shaded by the model's output (a probability, or the
//! predicted class), with the points and the lines the model draws.

use super::{model_colour, BLUE, GREY, ORANGE};
use crate::figure::Plane;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Light blue for 0, light orange for 1.
fn shade(p: f32) -> RGBColor {
    let p = p.clamp(0.0, 1.0);
    let mix = |a: f32, b: f32| (a + (b - a) * p) as u8;
    RGBColor(mix(191.0, 254.0), mix(219.0, 215.0), mix(254.0, 170.0))
}

/// A class's colour, lightened for the region behind the points.
fn light(c: RGBColor) -> RGBColor {
    let mix = |v: u8| (v as f32 + (255.0 - v as f32) * 0.72) as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// The part of the line w1·x + w2·y + b = 0 inside the square [lo, hi]², if any.
fn clip(w1: f32, w2: f32, b: f32, lo: f32, hi: f32) -> Option<[(f32, f32); 2]> {
    let mut ends = Vec::new();
    if w2.abs() > 1e-9 {
        for x in [lo, hi] {
            ends.push((x, -(w1 * x + b) / w2));
        }
    }
    if w1.abs() > 1e-9 {
        for y in [lo, hi] {
            ends.push((-(w2 * y + b) / w1, y));
        }
    }
    let inside: Vec<(f32, f32)> = ends
        .into_iter()
        .filter(|(x, y)| (lo - 1e-4..=hi + 1e-4).contains(x) && (lo - 1e-4..=hi + 1e-4).contains(y))
        .collect();
    Some([*inside.first()?, *inside.iter().max_by(|a, b| dist(inside[0], **a).total_cmp(&dist(inside[0], **b)))?])
}

fn dist(a: (f32, f32), b: (f32, f32)) -> f32 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

pub fn draw(canvas: &HtmlCanvasElement, plane: &Plane) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let (lo, hi) = (plane.lo, plane.hi);
    let side = plane.side.max(1);
    let cell = (hi - lo) / side as f32;
    // A handful of points (a truth table) are drawn large; a data set small.
    let radius = if plane.points.len() <= 16 { 8 } else { 3 };
    let point_colour = |c: f32| if plane.classes == 0 { if c > 0.5 { ORANGE } else { BLUE } } else { model_colour(c as usize % 3) };
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root).margin(10).x_label_area_size(30).y_label_area_size(36).build_cartesian_2d(lo..hi, lo..hi)?;
        chart.configure_mesh().disable_mesh().x_desc("x₁").y_desc("x₂").x_labels(5).y_labels(5).draw()?;
        chart.draw_series(plane.cells.iter().enumerate().map(|(i, v)| {
            let (row, col) = ((i / side) as f32, (i % side) as f32);
            let x0 = lo + col * cell;
            let y0 = hi - row * cell;
            let colour = if plane.classes == 0 { shade(*v) } else { light(model_colour(*v as usize % 3)) };
            Rectangle::new([(x0, y0), (x0 + cell, y0 - cell)], colour.filled())
        }))?;
        let line_colour = if plane.dark_lines { BLACK } else { GREY };
        for [w1, w2, b] in &plane.lines {
            if let Some(ends) = clip(*w1, *w2, *b, lo, hi) {
                chart.draw_series(LineSeries::new(ends, line_colour.stroke_width(2)))?;
            }
        }
        chart.draw_series(plane.points.iter().map(|[x, y, c, _]| Circle::new((*x, *y), radius, point_colour(*c).filled())))?;
        chart.draw_series(plane.points.iter().filter(|p| p[3] > 0.5).map(|[x, y, _, _]| Circle::new((*x, *y), radius + 4, RED.stroke_width(3))))?;
        root.present()?;
        Ok(())
    })();
}
