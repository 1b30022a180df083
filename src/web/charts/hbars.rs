//! Named values as horizontal bars (orange ≥ 0, blue < 0), named on the left
//! and, where asked, valued beside each bar.

use super::{BLUE, ORANGE};
use crate::figure::HBars;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Beyond this many bars they get no names or values (the caption lists them).
const LABELLED: usize = 24;

pub fn draw(canvas: &HtmlCanvasElement, fig: &HBars) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let bars = &fig.bars;
    let n = bars.len().max(1);
    let m = bars.iter().map(|(_, v)| v.abs()).fold(0.0f32, f32::max).max(1e-3) * if fig.values { 1.35 } else { 1.3 };
    let labelled = bars.len() <= LABELLED;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        // One segment per bar, the first at the top.
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(if fig.x_desc.is_empty() { 24 } else { 30 })
            .y_label_area_size(if labelled { 70 } else { 8 })
            .build_cartesian_2d(-m..m, (0..n).into_segmented())?;
        let name = |y: &SegmentValue<usize>| match y {
            SegmentValue::CenterOf(i) if labelled => bars.get(n - 1 - i).map(|b| b.0.clone()).unwrap_or_default(),
            _ => String::new(),
        };
        chart.configure_mesh().disable_y_mesh().y_labels(n).y_label_formatter(&name).y_label_style(("sans-serif", 11)).x_labels(5).x_desc(fig.x_desc.as_str()).draw()?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            let row = n - 1 - i;
            let mut bar = Rectangle::new([(0.0, SegmentValue::Exact(row)), (*v, SegmentValue::Exact(row + 1))], if *v >= 0.0 { ORANGE } else { BLUE }.filled());
            bar.set_margin(2, 2, 0, 0);
            bar
        }))?;
        if fig.values && labelled {
            chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                // The value sits on the side of zero away from its bar, so it never overlaps it.
                let x = if *v >= 0.0 { -m * 0.98 } else { m * 0.55 };
                Text::new(format!("{v:+.3}"), (x, SegmentValue::CenterOf(n - 1 - i)), ("sans-serif", 10).into_font())
            }))?;
        }
        root.present()?;
        Ok(())
    })();
}
