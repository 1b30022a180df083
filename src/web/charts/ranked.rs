//! Each query's ranked answers as bars of their score, labelled, or why a
//! query has none.

use super::{BLUE, GREY};
use crate::figure::Ranked;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub fn draw(canvas: &HtmlCanvasElement, queries: &[Ranked]) {
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let (w, h) = root.dim_in_pixel();
    let rows: usize = queries.iter().map(|q| 1 + q.items.as_ref().map_or(1, Vec::len)).sum::<usize>().max(1);
    let line = (h as i32 / rows as i32).clamp(9, 16);
    let font = ("sans-serif", line - 2).into_font();
    let mut y = 2;
    for q in queries {
        let _ = root.draw(&Text::new(q.title.clone(), (4, y), font.clone().color(&BLACK)));
        y += line;
        match &q.items {
            Ok(items) => {
                for (name, score) in items {
                    let bar = ((w as f32 - 150.0) * score.max(0.0)) as i32;
                    let _ = root.draw(&Rectangle::new([(100, y + 2), (100 + bar, y + line - 3)], BLUE.mix(0.6).filled()));
                    let _ = root.draw(&Text::new(name.clone(), (14, y), font.clone().color(&BLACK)));
                    let _ = root.draw(&Text::new(format!("{score:.2}"), (104 + bar, y), font.clone().color(&GREY)));
                    y += line;
                }
            }
            Err(why) => {
                let _ = root.draw(&Text::new(why.clone(), (14, y), font.clone().color(&RED)));
                y += line;
            }
        }
    }
    let _ = root.present();
}
