//! The model's verdict on the user's sentence: each word's push towards fresh
//! (+, orange) or rotten (−, blue), and the overall probability.

use super::{BLUE, ORANGE};
use crate::labs::sentiment::Verdict;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, verdict: Option<&Verdict>) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let Some(v) = verdict else {
        let _ = root.present();
        return "Type a sentence in “Your sentence” (words the vocabulary knows) to see how the model reads it.".into();
    };
    let n = v.words.len().max(1);
    let m = v.words.iter().map(|(_, p)| p.abs()).fold(0.0f32, f32::max).max(1e-3) * 1.3;
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(22)
            .y_label_area_size(70)
            .build_cartesian_2d(-m..m, (0..n).into_segmented())?;
        let name = |y: &SegmentValue<usize>| match y {
            SegmentValue::CenterOf(i) if n <= 24 => v.words.get(n - 1 - i).map(|w| w.0.clone()).unwrap_or_default(),
            _ => String::new(),
        };
        chart.configure_mesh().disable_y_mesh().y_labels(n).y_label_formatter(&name).x_labels(5).x_desc("push towards fresh (+) or rotten (−)").draw()?;
        chart.draw_series(v.words.iter().enumerate().map(|(i, (_, p))| {
            let row = n - 1 - i;
            let mut bar = Rectangle::new([(0.0, SegmentValue::Exact(row)), (*p, SegmentValue::Exact(row + 1))], if *p >= 0.0 { ORANGE } else { BLUE }.filled());
            bar.set_margin(2, 2, 0, 0);
            bar
        }))?;
        root.present()?;
        Ok(())
    })();
    let label = if v.p_fresh >= 0.5 { "fresh" } else { "rotten" };
    let pushes: Vec<String> = v.words.iter().map(|(w, p)| format!("{w} {p:+.2}")).collect();
    let unknown = if v.unknown.is_empty() { String::new() } else { format!(" Not in the vocabulary (ignored): {}.", v.unknown.join(", ")) };
    format!("Verdict: {label}, P(fresh) = {:.1}%. Each word's push: {}.{unknown}", v.p_fresh * 100.0, pushes.join(", "))
}
