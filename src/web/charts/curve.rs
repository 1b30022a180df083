//! A metric against the step: the loss curve, the accuracy curve.

use super::{model_colour, BLUE};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// At most this many points are drawn; longer curves are thinned evenly.
const MAX_POINTS: usize = 800;

/// `points` is the main curve; each of `others` (a companion series
/// `<name>:<label>`, e.g. a control) is drawn on the same axes in its own
/// colour, with a legend naming every line.
pub fn draw(canvas: &HtmlCanvasElement, name: &str, points: &[(u32, f32)], others: &[(&str, &[(u32, f32)])], y_range: Option<(f32, f32)>) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let all = || std::iter::once(points).chain(others.iter().map(|o| o.1));
    let x_max = all().filter_map(|p| p.last()).map(|p| p.0).max().unwrap_or(1).max(1);
    let (lo, hi) = y_range.unwrap_or_else(|| {
        let max = all().flatten().map(|p| p.1).fold(0.0f32, f32::max);
        (0.0, if max > 0.0 { max * 1.05 } else { 1.0 })
    });
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(48)
            .build_cartesian_2d(0u32..x_max, lo..hi)?;
        chart.configure_mesh().x_desc("step").y_desc(name).x_labels(6).y_labels(6).draw()?;
        for (k, (label, line)) in std::iter::once((name, points)).chain(others.iter().copied()).enumerate() {
            let stride = line.len().div_ceil(MAX_POINTS).max(1);
            let thinned = line.iter().step_by(stride).chain(line.last()).copied();
            let colour = if k == 0 { BLUE } else { model_colour(k) };
            let drawn = chart.draw_series(LineSeries::new(thinned, colour.stroke_width(2)))?;
            if !others.is_empty() {
                drawn.label(label.to_string()).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
            }
        }
        if !others.is_empty() {
            chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).position(SeriesLabelPosition::LowerRight).draw()?;
        }
        root.present()?;
        Ok(())
    })();
}
