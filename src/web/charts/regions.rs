//! 2-D points coloured by class over the model's predicted class regions.

use crate::labs::backprop::{BackpropView, EXTENT, GRID};
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

const CLASS_COLOURS: [RGBColor; 3] = [RGBColor(37, 99, 235), RGBColor(234, 88, 12), RGBColor(22, 163, 74)];

fn light(c: RGBColor) -> RGBColor {
    let mix = |v: u8| (v as f32 + (255.0 - v as f32) * 0.72) as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

pub fn draw(canvas: &HtmlCanvasElement, view: &BackpropView) -> String {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return String::new() };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let cell = 2.0 * EXTENT / GRID as f32;
    let colour = |c: usize| CLASS_COLOURS[c % CLASS_COLOURS.len()];
    let _ = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(26)
            .y_label_area_size(34)
            .build_cartesian_2d(-EXTENT..EXTENT, -EXTENT..EXTENT)?;
        chart.configure_mesh().disable_mesh().x_labels(5).y_labels(5).x_desc("x₁").y_desc("x₂").draw()?;
        chart.draw_series(view.regions.iter().enumerate().map(|(i, c)| {
            let x0 = -EXTENT + (i % GRID) as f32 * cell;
            let y0 = EXTENT - (i / GRID) as f32 * cell;
            Rectangle::new([(x0, y0), (x0 + cell, y0 - cell)], light(colour(*c as usize)).filled())
        }))?;
        chart.draw_series(view.points.iter().map(|[x, y, c]| Circle::new((*x, *y), 3, colour(*c as usize).filled())))?;
        root.present()?;
        Ok(())
    })();
    let mut right = 0;
    for [x, y, c] in &view.points {
        let col = (((x + EXTENT) / cell) as usize).min(GRID - 1);
        let row = (((EXTENT - y) / cell) as usize).min(GRID - 1);
        right += (view.regions[row * GRID + col] as f32 == *c) as usize;
    }
    format!(
        "{} classes, {} points; {right} lie in the region of their own class. Shade = the class the network predicts there.",
        view.classes,
        view.points.len()
    )
}
