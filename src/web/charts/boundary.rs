//! The plane of the four points, shaded by the model's output, with the lines it draws.

use super::{BLUE, GREY, ORANGE};
use crate::labs::perceptron::{ModelKind, PerceptronView, GRID, GRID_MAX, GRID_MIN};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Light blue for 0, light orange for 1.
fn shade(p: f32) -> RGBColor {
    let p = p.clamp(0.0, 1.0);
    let mix = |a: f32, b: f32| (a + (b - a) * p) as u8;
    RGBColor(mix(191.0, 254.0), mix(219.0, 215.0), mix(254.0, 170.0))
}

/// The part of the line w1·x + w2·y + b = 0 inside the plot's square, if any.
fn clip(w1: f32, w2: f32, b: f32) -> Option<[(f32, f32); 2]> {
    let (lo, hi) = (GRID_MIN, GRID_MAX);
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

pub fn draw(canvas: &HtmlCanvasElement, view: &PerceptronView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let cell = (GRID_MAX - GRID_MIN) / GRID as f32;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(36)
            .build_cartesian_2d(GRID_MIN..GRID_MAX, GRID_MIN..GRID_MAX)?;
        chart.configure_mesh().disable_mesh().x_desc("x₁").y_desc("x₂").x_labels(5).y_labels(5).draw()?;
        chart.draw_series(view.grid.iter().enumerate().map(|(i, p)| {
            let (row, col) = ((i / GRID) as f32, (i % GRID) as f32);
            let x0 = GRID_MIN + col * cell;
            let y0 = GRID_MAX - row * cell;
            Rectangle::new([(x0, y0), (x0 + cell, y0 - cell)], shade(*p).filled())
        }))?;
        let line_color = if view.model == ModelKind::Perceptron { BLACK } else { GREY };
        for [w1, w2, b] in &view.lines {
            if let Some(ends) = clip(*w1, *w2, *b) {
                chart.draw_series(LineSeries::new(ends, line_color.stroke_width(2)))?;
            }
        }
        chart.draw_series(view.points.iter().map(|[x, y, t, _]| {
            let color = if *t > 0.5 { ORANGE } else { BLUE };
            Circle::new((*x, *y), 8, color.filled())
        }))?;
        chart.draw_series(view.points.iter().filter(|p| (p[2] - p[3]).abs() > 0.5).map(|[x, y, _, _]| {
            Circle::new((*x, *y), 12, RED.stroke_width(3))
        }))?;
        root.present()?;
        Ok(())
    })();
    let correct = view.points.iter().filter(|p| (p[2] - p[3]).abs() < 0.5).count();
    let lines = match (view.model, view.lines.first()) {
        (ModelKind::Perceptron, Some([w1, w2, b])) => format!("line {w1:.3}·x₁ + {w2:.3}·x₂ + {b:.3} = 0"),
        _ => format!("{} hidden-unit lines in grey", view.lines.len()),
    };
    format!("Decision boundary: {correct} of 4 points right (red ring = wrong); {lines}. Shade = P(output 1).")
}
