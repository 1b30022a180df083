//! A confusion matrix: true class down, predicted class across, each cell's count
//! written in it and shaded by its share of the row.

use crate::data::mnist::CLASSES;
use crate::labs::mnist::TestReport;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, report: &TestReport) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let count = |t: usize, p: usize| report.confusion[t * CLASSES + p];
    let row_total = |t: usize| (0..CLASSES).map(|p| count(t, p)).sum::<u32>().max(1);
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let n = CLASSES as i32;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(30)
            .build_cartesian_2d(0..n, 0..n)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(CLASSES)
            .y_labels(CLASSES)
            .x_label_formatter(&|v| if *v < n { v.to_string() } else { String::new() })
            .y_label_formatter(&|v| if *v < n { (n - 1 - v).to_string() } else { String::new() })
            .x_desc("predicted")
            .y_desc("true")
            .draw()?;
        for t in 0..CLASSES {
            for p in 0..CLASSES {
                let share = count(t, p) as f64 / row_total(t) as f64;
                // Diagonal in blue, mistakes in red; darker for a larger share of the row.
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
    let (mut worst, mut worst_n) = ((0, 0), 0);
    for t in 0..CLASSES {
        for p in (0..CLASSES).filter(|&p| p != t) {
            if count(t, p) > worst_n {
                (worst, worst_n) = ((t, p), count(t, p));
            }
        }
    }
    let total: u32 = report.confusion.iter().sum();
    let confusion = if worst_n > 0 { format!(" Most common mistake: {} read as {} ({worst_n} times).", worst.0, worst.1) } else { String::new() };
    format!(
        "Confusion matrix at step {}: {:.2}% of {total} test digits on the diagonal.{confusion}",
        report.step,
        report.accuracy * 100.0
    )
}
