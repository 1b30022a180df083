//! A metric against the step: the loss curve, the accuracy curve.

use super::BLUE;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// At most this many points are drawn; longer curves are thinned evenly.
const MAX_POINTS: usize = 800;

pub fn draw(canvas: &HtmlCanvasElement, name: &str, points: &[(u32, f32)], y_range: Option<(f32, f32)>) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let x_max = points.last().map(|p| p.0).unwrap_or(1).max(1);
    let (lo, hi) = y_range.unwrap_or_else(|| {
        let max = points.iter().map(|p| p.1).fold(0.0f32, f32::max);
        (0.0, if max > 0.0 { max * 1.05 } else { 1.0 })
    });
    let stride = points.len().div_ceil(MAX_POINTS).max(1);
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(48)
            .build_cartesian_2d(0u32..x_max, lo..hi)?;
        chart.configure_mesh().x_desc("step").y_desc(name).x_labels(6).y_labels(6).draw()?;
        let line = points.iter().step_by(stride).chain(points.last()).copied();
        chart.draw_series(LineSeries::new(line, BLUE.stroke_width(2)))?;
        root.present()?;
        Ok(())
    })();
}
