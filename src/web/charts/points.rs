//! Points in 2-D, coloured by group; the first few are labelled, and every
//! point's label shows on hover (`label_at`).

use crate::figure::Points;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::cell::RefCell;
use std::collections::BTreeMap;
use web_sys::HtmlCanvasElement;

const PALETTE: [RGBColor; 11] = [
    RGBColor(120, 120, 120),
    RGBColor(37, 99, 235),
    RGBColor(234, 88, 12),
    RGBColor(22, 163, 74),
    RGBColor(220, 38, 38),
    RGBColor(147, 51, 234),
    RGBColor(161, 98, 7),
    RGBColor(219, 39, 119),
    RGBColor(8, 145, 178),
    RGBColor(101, 163, 13),
    RGBColor(30, 41, 59),
];
/// Points labelled on the plot itself.
const LABELLED: usize = 25;

thread_local! {
    /// Per figure name: where each point was last drawn, in canvas pixels, with its label.
    static DRAWN: RefCell<BTreeMap<String, Vec<(i32, i32, String)>>> = const { RefCell::new(BTreeMap::new()) };
}

pub fn draw(canvas: &HtmlCanvasElement, name: &str, fig: &Points) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let span = |f: fn(&(f32, f32)) -> f32| {
        let lo = fig.points.iter().map(f).fold(f32::INFINITY, f32::min);
        let hi = fig.points.iter().map(f).fold(f32::NEG_INFINITY, f32::max);
        if lo.is_finite() && hi > lo { (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)) } else { (-1.0, 1.0) }
    };
    let ((x0, x1), (y0, y1)) = (span(|p| p.0), span(|p| p.1));
    let mut drawn = Vec::with_capacity(fig.points.len());
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root).margin(8).x_label_area_size(20).y_label_area_size(36).build_cartesian_2d(x0..x1, y0..y1)?;
        chart.configure_mesh().disable_mesh().x_labels(4).y_labels(4).draw()?;
        let colour = |g: u8| PALETTE[g as usize % PALETTE.len()];
        chart.draw_series(fig.points.iter().zip(&fig.groups).map(|(p, g)| Circle::new(*p, 3, colour(*g).filled())))?;
        chart.draw_series(fig.points.iter().zip(&fig.labels).take(LABELLED).map(|(p, l)| Text::new(l.clone(), *p, ("sans-serif", 10).into_font())))?;
        for (p, l) in fig.points.iter().zip(&fig.labels) {
            let (px, py) = chart.backend_coord(p);
            drawn.push((px, py, l.clone()));
        }
        root.present()?;
        Ok(())
    })();
    DRAWN.with(|d| d.borrow_mut().insert(name.to_string(), drawn));
}

/// The label of the point of figure `name` drawn nearest to canvas pixel
/// (x, y), within 8 pixels.
pub fn label_at(name: &str, x: f64, y: f64) -> Option<String> {
    DRAWN.with(|d| {
        d.borrow()
            .get(name)?
            .iter()
            .map(|(px, py, l)| (((*px as f64 - x).powi(2) + (*py as f64 - y).powi(2)), l))
            .filter(|(d2, _)| *d2 <= 64.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, l)| l.clone())
    })
}
