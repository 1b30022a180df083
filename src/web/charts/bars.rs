//! Vertical bars: panels side by side, in each the bars grouped by category,
//! one colour per series (or per category), the values written above.

use super::{model_colour, BLUE, ORANGE};
use crate::figure::{BarPanel, Bars};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// Bars past a cut-off: kept in view, greyed out.
const CUT: RGBColor = RGBColor(190, 190, 190);
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, bars: &Bars) {
    if bars.panels.iter().all(|p| p.categories.is_empty() || p.series.iter().all(|s| s.values.is_empty())) {
        return super::nothing_yet(canvas);
    }
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
            // A highlighted category (the predicted digit) only where one
            // series is drawn; several keep their own colours.
            let colour = match panel.highlight {
                Some(h) if n_series == 1 && h == g => ORANGE,
                _ if panel.cutoff.is_some_and(|c| g >= c) => CUT,
                Some(_) if n_series == 1 => BLUE,
                _ if panel.colour_by_category => model_colour(g),
                _ => model_colour(k),
            };
            chart.draw_series(std::iter::once(Rectangle::new([(x0, 0.0), (x0 + width * 0.9, v)], colour.filled())))?;
            if let Some(label) = series.labels.get(g).filter(|l| !l.is_empty()) {
                chart.draw_series(std::iter::once(Text::new(label.clone(), (x0, v + top * 0.06), ("sans-serif", 10).into_font())))?;
            }
        }
    }
    if let Some(c) = panel.cutoff {
        // The cut-off between the last kept category and the first cut one.
        let x = c as f32 + 0.075;
        let dashes = (0..20).map(|i| top * i as f32 / 20.0).map(|y| PathElement::new(vec![(x, y), (x, y + top / 40.0)], BLACK.stroke_width(2)));
        chart.draw_series(dashes)?;
        chart.draw_series(std::iter::once(Text::new("cut-off", (x + 0.1, top * 0.95), ("sans-serif", 11).into_font())))?;
    }
    if n_series > 1 && !panel.colour_by_category {
        legend(area, panel);
    }
    Ok(())
}

/// Each series' colour and name, along the top of the panel.
fn legend(area: &DrawingArea<CanvasBackend, Shift>, panel: &BarPanel) {
    let font = ("sans-serif", 11).into_font();
    let mut x = 48;
    let y = if panel.title.is_empty() { 8 } else { 22 };
    for (k, series) in panel.series.iter().enumerate() {
        let _ = area.draw(&Rectangle::new([(x, y), (x + 10, y + 10)], model_colour(k).filled()));
        let _ = area.draw(&Text::new(series.name.clone(), (x + 14, y - 1), font.clone()));
        x += 30 + 6 * series.name.chars().count() as i32;
    }
}
