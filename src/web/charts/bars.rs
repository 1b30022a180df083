//! Vertical bars: panels side by side, in each the bars grouped by category,
//! one colour per series (or per category), the values written above.

use super::{model_colour, BLUE, ORANGE};
use crate::figure::{BarPanel, Bars};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, bars: &Bars) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let areas = root.split_evenly((1, bars.panels.len().max(1)));
    for (area, panel) in areas.iter().zip(&bars.panels) {
        let _ = draw_panel(area, panel);
    }
    let _ = root.present();
}

fn draw_panel(area: &DrawingArea<CanvasBackend, Shift>, panel: &BarPanel) -> Result<(), Box<dyn std::error::Error>> {
    let largest = panel.series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite()).fold(1e-6f32, f32::max);
    let top = if panel.y_max > 0.0 { panel.y_max } else { largest * 1.2 };
    let groups = panel.categories.len().max(1);
    let n_series = panel.series.len().max(1);
    let mut builder = ChartBuilder::on(area);
    builder.margin(8).x_label_area_size(if panel.x_desc.is_empty() { 22 } else { 30 }).y_label_area_size(40);
    if !panel.title.is_empty() {
        builder.caption(panel.title.as_str(), ("sans-serif", 12));
    }
    let mut chart = builder.build_cartesian_2d(0f32..groups as f32, 0f32..top)?;
    let names = &panel.categories;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups + 1)
        .x_label_formatter(&|x| if x.fract() == 0.0 { names.get(*x as usize).cloned().unwrap_or_default() } else { String::new() })
        .x_desc(panel.x_desc.as_str())
        .y_labels(5)
        .draw()?;
    // Each group fills 0.7 of its slot, split between the series.
    let width = 0.7 / n_series as f32;
    for (k, series) in panel.series.iter().enumerate() {
        for (g, v) in series.values.iter().enumerate() {
            let v = if v.is_finite() { *v } else { 0.0 };
            let x0 = g as f32 + 0.15 + width * k as f32;
            let colour = match panel.highlight {
                Some(h) => if h == g { ORANGE } else { BLUE },
                None if panel.colour_by_category => model_colour(g),
                None => model_colour(k),
            };
            chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + width * 0.9, v)], colour.filled())))?;
            if let Some(label) = series.labels.get(g).filter(|l| !l.is_empty()) {
                chart.draw_series(std::iter::once(Text::new(label.clone(), (x0, v + top * 0.06), ("sans-serif", 10).into_font())))?;
            }
        }
    }
    Ok(())
}
