//! A matrix of counts (a confusion matrix): rows down, columns across, each
//! cell's count written in it and shaded by its share of the row; the
//! diagonal in blue, the rest in red.

use crate::figure::Counts;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, fig: &Counts) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let k = fig.labels.len();
    if k == 0 || fig.counts.len() != k * k {
        let _ = root.present();
        return;
    }
    let count = |t: usize, p: usize| fig.counts[t * k + p];
    let row_total = |t: usize| (0..k).map(|p| count(t, p)).sum::<u32>().max(1);
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let n = k as i32;
        let labels = &fig.labels;
        let mut chart = ChartBuilder::on(&root).margin(8).x_label_area_size(28).y_label_area_size(30).build_cartesian_2d(0..n, 0..n)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(k)
            .y_labels(k)
            .x_label_formatter(&|v| labels.get(*v as usize).cloned().unwrap_or_default())
            .y_label_formatter(&|v| if *v < n { labels.get((n - 1 - v) as usize).cloned().unwrap_or_default() } else { String::new() })
            .x_desc(fig.col_desc.as_str())
            .y_desc(fig.row_desc.as_str())
            .draw()?;
        for t in 0..k {
            for p in 0..k {
                let share = count(t, p) as f64 / row_total(t) as f64;
                // Darker for a larger share of the row; mistakes show up from a small share.
                let strength = if t == p { share } else { (share * 8.0).min(1.0) };
                let base = if t == p { (37.0, 99.0, 235.0) } else { (220.0, 38.0, 38.0) };
                let mix = |c: f64| (255.0 - (255.0 - c) * strength) as u8;
                let (x, y) = (p as i32, n - 1 - t as i32);
                chart.draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1, y + 1)], RGBColor(mix(base.0), mix(base.1), mix(base.2)).filled())))?;
                let ink = if strength > 0.55 { WHITE } else { BLACK };
                chart.draw_series(std::iter::once(Text::new(count(t, p).to_string(), (x, y + 1), ("sans-serif", 10).into_font().color(&ink))))?;
            }
        }
        root.present()?;
        Ok(())
    })();
}
