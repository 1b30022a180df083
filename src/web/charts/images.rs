//! Small grey images in a grid (test digits), each with its label under it.

use crate::figure::Images;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

const COLUMNS: usize = 8;

pub fn draw(canvas: &HtmlCanvasElement, fig: &Images) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let (w, h) = root.dim_in_pixel();
    let side = fig.side.max(1) as i32;
    let rows = fig.images.len().div_ceil(COLUMNS).max(3) as i32;
    let cell_w = w as i32 / COLUMNS as i32;
    let cell_h = h as i32 / rows;
    let scale = ((cell_w - 4).min(cell_h - 16) / side).max(1);
    for (k, (pixels, label)) in fig.images.iter().zip(&fig.labels).enumerate() {
        let (x0, y0) = ((k % COLUMNS) as i32 * cell_w + 2, (k / COLUMNS) as i32 * cell_h + 2);
        let _ = root.draw(&Rectangle::new([(x0, y0), (x0 + side * scale, y0 + side * scale)], BLACK.filled()));
        for (i, &p) in pixels.iter().enumerate().filter(|(_, &p)| p > 16) {
            let (x, y) = (x0 + (i as i32 % side) * scale, y0 + (i as i32 / side) * scale);
            let _ = root.draw(&Rectangle::new([(x, y), (x + scale, y + scale)], RGBColor(p, p, p).filled()));
        }
        let _ = root.draw(&Text::new(label.clone(), (x0, y0 + side * scale + 2), ("sans-serif", 12).into_font().color(&RED)));
    }
    let _ = root.present();
}
