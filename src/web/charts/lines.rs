//! Lines against a numeric x, one per model with a legend; optionally on a
//! log scale, with a grey reference line (chance) and dots on the points.

use super::model_colour;
use crate::figure::Lines;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, fig: &Lines) {
    if fig.lines.iter().all(|l| l.points.is_empty()) {
        return super::nothing_yet(canvas);
    }
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    // On a log scale, zeros (underflow) and non-finite values have no place.
    let y = |v: f32| if fig.log_y { v.max(1e-30).log10() } else { v };
    let keep = |v: f32| v.is_finite() && (!fig.log_y || v > 0.0);
    let lines: Vec<(String, Vec<(f32, f32)>)> = fig.lines.iter().map(|l| (l.name.clone(), l.points.iter().filter(|p| keep(p.1)).map(|(x, v)| (*x, y(*v))).collect())).collect();
    let all_y = lines.iter().flat_map(|l| l.1.iter().map(|p| p.1));
    let (lo, hi) = match fig.y_range {
        Some(r) => r,
        None if fig.log_y => {
            let ys: Vec<f32> = all_y.collect();
            let lo = ys.iter().copied().fold(f32::INFINITY, f32::min).min(-1.0).floor();
            (lo, ys.iter().copied().fold(f32::NEG_INFINITY, f32::max).max(lo + 1.0).ceil())
        }
        None => (0.0, all_y.fold(1e-6f32, f32::max) * 1.05),
    };
    // Every point's x, marks included, with room so a mark at the end is whole.
    let x_max = lines.iter().flat_map(|l| l.1.iter().map(|p| p.0)).fold(1.0f32, f32::max);
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root).margin(10).x_label_area_size(30).y_label_area_size(if fig.log_y { 62 } else { 40 }).build_cartesian_2d(0f32..x_max * 1.06, lo..hi)?;
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(fig.x_desc.as_str()).y_desc(fig.y_desc.as_str()).x_labels(6).y_labels(6);
        let power = |v: &f32| format!("1e{v:.0}");
        if fig.log_y {
            mesh.y_label_formatter(&power);
        }
        mesh.draw()?;
        if let Some(r) = fig.reference {
            chart.draw_series(LineSeries::new([(0.0, r), (x_max, r)], RGBColor(180, 180, 180).stroke_width(1)))?;
        }
        for (k, (name, points)) in lines.iter().enumerate() {
            let colour = model_colour(k);
            // A single mark (nanoGPT's run) gets a dot in the legend, not a line that is not drawn.
            let (from, to, width) = if points.len() == 1 { (5, 8, 6) } else { (0, 14, 2) };
            chart.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?.label(name.clone()).legend(move |(x, y)| PathElement::new([(x + from, y), (x + to, y)], colour.stroke_width(width)));
            if fig.markers {
                chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, colour.filled())))?;
            }
        }
        let corner = if fig.log_y { SeriesLabelPosition::LowerLeft } else { SeriesLabelPosition::MiddleRight };
        chart.configure_series_labels().position(corner).background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        root.present()?;
        Ok(())
    })();
}
