//! Every weight and bias as a horizontal bar, named on the left, valued at its end.

use super::{BLUE, ORANGE};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Beyond this many parameters the bars get no names or values (the caption still lists them).
const LABELLED: usize = 24;

pub fn draw(canvas: &HtmlCanvasElement, weights: &[(String, f32)]) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let n = weights.len().max(1);
    let m = weights.iter().map(|(_, v)| v.abs()).fold(0.0f32, f32::max).max(1e-3) * 1.35;
    let labelled = weights.len() <= LABELLED;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        // One segment per parameter, first at the top.
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(24)
            .y_label_area_size(if labelled { 52 } else { 8 })
            .build_cartesian_2d(-m..m, (0..n).into_segmented())?;
        let name = |y: &SegmentValue<usize>| match y {
            SegmentValue::CenterOf(i) if labelled => weights.get(n - 1 - i).map(|w| w.0.clone()).unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&name)
            .y_label_style(("sans-serif", 11))
            .x_labels(5)
            .draw()?;
        chart.draw_series(weights.iter().enumerate().map(|(i, (_, v))| {
            let row = n - 1 - i;
            let color = if *v >= 0.0 { ORANGE } else { BLUE };
            let mut bar = Rectangle::new([(0.0, SegmentValue::Exact(row)), (*v, SegmentValue::Exact(row + 1))], color.filled());
            bar.set_margin(2, 2, 0, 0);
            bar
        }))?;
        if labelled {
            chart.draw_series(weights.iter().enumerate().map(|(i, (_, v))| {
                // The value sits on the side of zero away from its bar, so it never overlaps it.
                let x = if *v >= 0.0 { -m * 0.98 } else { m * 0.55 };
                Text::new(format!("{v:+.3}"), (x, SegmentValue::CenterOf(n - 1 - i)), ("sans-serif", 10).into_font())
            }))?;
        }
        root.present()?;
        Ok(())
    })();
    let shown: Vec<String> = weights.iter().take(8).map(|(k, v)| format!("{k} {v:+.3}")).collect();
    let more = if weights.len() > 8 { format!(" … ({} in all)", weights.len()) } else { String::new() };
    format!("Weights: {}{more}", shown.join(", "))
}
