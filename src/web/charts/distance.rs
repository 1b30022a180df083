//! Recall accuracy against the distance D, a line per model.

use super::model_colour;
use crate::labs::recall::RecallView;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, view: &RecallView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let x_max = view.distances.last().copied().unwrap_or(1) as f32;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root).margin(10).x_label_area_size(30).y_label_area_size(40).build_cartesian_2d(0f32..x_max * 1.02, 0f32..1.05)?;
        chart.configure_mesh().x_desc("distance D (steps back)").y_desc("accuracy").x_labels(6).y_labels(6).draw()?;
        // Chance: one key in eight.
        chart.draw_series(LineSeries::new([(0.0, 0.125), (x_max, 0.125)], RGBColor(180, 180, 180).stroke_width(1)))?;
        for (k, m) in view.models.iter().enumerate() {
            let points: Vec<(f32, f32)> = view.distances.iter().zip(&m.accuracy).filter(|(_, a)| a.is_finite()).map(|(d, a)| (*d as f32, *a)).collect();
            let colour = model_colour(k);
            chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?.label(m.name.clone()).legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], colour.stroke_width(2)));
            chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, colour.filled())))?;
        }
        chart.configure_series_labels().position(SeriesLabelPosition::MiddleRight).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        root.present()?;
        Ok(())
    })();
    let lines: Vec<String> = view
        .models
        .iter()
        .map(|m| {
            let cells: Vec<String> = view.distances.iter().zip(&m.accuracy).map(|(d, a)| if a.is_finite() { format!("D={d} {a:.2}") } else { format!("D={d} –") }).collect();
            format!("{} (step {}): {}", m.name, m.steps, cells.join(", "))
        })
        .collect();
    format!("Accuracy against distance; grey line: chance (0.125). {}.", lines.join("; "))
}
