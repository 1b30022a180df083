//! Test digits the model gets wrong, each labelled "true → predicted".

use crate::data::mnist::SIDE;
use crate::labs::mnist::TestReport;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

const COLUMNS: usize = 8;

pub fn draw(canvas: &HtmlCanvasElement, report: &TestReport) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let (w, h) = root.dim_in_pixel();
    let cell_w = w as i32 / COLUMNS as i32;
    let cell_h = h as i32 / 3;
    let scale = ((cell_w - 4).min(cell_h - 16) / SIDE as i32).max(1);
    for (k, miss) in report.misses.iter().enumerate() {
        let (x0, y0) = ((k % COLUMNS) as i32 * cell_w + 2, (k / COLUMNS) as i32 * cell_h + 2);
        let _ = root.draw(&Rectangle::new([(x0, y0), (x0 + SIDE as i32 * scale, y0 + SIDE as i32 * scale)], BLACK.filled()));
        for (i, &p) in miss.pixels.iter().enumerate().filter(|(_, &p)| p > 16) {
            let (x, y) = (x0 + (i % SIDE) as i32 * scale, y0 + (i / SIDE) as i32 * scale);
            let _ = root.draw(&Rectangle::new([(x, y), (x + scale, y + scale)], RGBColor(p, p, p).filled()));
        }
        let label = format!("{}→{}", miss.label, miss.predicted);
        let _ = root.draw(&Text::new(label, (x0, y0 + SIDE as i32 * scale + 2), ("sans-serif", 12).into_font().color(&RED)));
    }
    let _ = root.present();
    let listed: Vec<String> = report.misses.iter().map(|m| format!("#{} {}→{}", m.index, m.label, m.predicted)).collect();
    if listed.is_empty() {
        return format!("No test digit is wrong at step {}.", report.step);
    }
    format!("The first {} wrong test digits at step {} (true → predicted): {}.", listed.len(), report.step, listed.join(", "))
}
