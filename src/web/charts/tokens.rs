//! Lines of text token by token: each line's label, then its tokens in a
//! monospace font on a background shaded by the token's value (white at 0,
//! blue at 1), marked tokens boxed in red, accented ones underlined in green.
//! Long lines wrap.

use super::{BLUE, GREY};

/// The accent: a green underline that stays visible on the darkest shade.
const ACCENT: RGBColor = RGBColor(0, 150, 70);
use crate::figure::Tokens;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// White for 0, light blue towards 1: dark enough to see, light enough to read.
fn shade(v: f32) -> RGBColor {
    let v = v.clamp(0.0, 1.0) * 0.6;
    let mix = |c: u8| (255.0 - (255.0 - c as f32) * v) as u8;
    RGBColor(mix(BLUE.0), mix(BLUE.1), mix(BLUE.2))
}

/// The height the lines take at this width, wrapped as `draw` wraps them,
/// with the legend: a two-line sample gets a short box, not a tall empty one.
fn height(fig: &Tokens, w: i32) -> i32 {
    let mut y = 4;
    for l in &fig.lines {
        let mut x = 12;
        y += 18;
        for tok in &l.tokens {
            let tw = 9 * tok.chars().count().max(1) as i32;
            if x + tw > w - 4 {
                x = 12;
                y += 18;
            }
            x += tw;
        }
        y += 24;
    }
    y + 22
}

pub fn draw(canvas: &HtmlCanvasElement, fig: &Tokens) {
    // The canvas's first height is the most it grows to; a long text stops there.
    let tall = canvas.get_attribute("data-tall").and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        let _ = canvas.set_attribute("data-tall", &canvas.height().to_string());
        canvas.height()
    });
    let fit = (height(fig, canvas.width() as i32).max(60) as u32).min(tall);
    if canvas.height() != fit {
        canvas.set_height(fit);
    }
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else { return };
    let root = backend.into_drawing_area();
    let _ = root.fill(&WHITE);
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let line = 18;
    let char_w = 9;
    let font = ("monospace", 15).into_font();
    let label_font = ("sans-serif", 13).into_font();
    let mut y = 4;
    for l in &fig.lines {
        let _ = root.draw(&Text::new(l.label.clone(), (4, y), label_font.clone().color(&GREY)));
        y += line;
        let mut x = 12;
        for (i, tok) in l.tokens.iter().enumerate() {
            // A visible sign for what would otherwise be blank or break the line.
            let shown: String = tok.chars().map(|c| match c { '\n' => '⏎', ' ' => '·', c => c }).collect();
            let tw = char_w * shown.chars().count().max(1) as i32;
            if x + tw > w - 4 {
                x = 12;
                y += line;
            }
            if y + line > h - 20 {
                break;
            }
            if let Some(v) = l.shades.get(i) {
                let _ = root.draw(&Rectangle::new([(x, y), (x + tw, y + line - 2)], shade(*v).filled()));
            }
            if l.marks.contains(&i) {
                let _ = root.draw(&Rectangle::new([(x, y), (x + tw, y + line - 2)], RED.stroke_width(2)));
            }
            if l.accents.contains(&i) {
                let _ = root.draw(&Rectangle::new([(x, y + line - 4), (x + tw, y + line - 1)], ACCENT.filled()));
            }
            let _ = root.draw(&Text::new(shown, (x, y + 1), font.clone().color(&BLACK)));
            x += tw;
        }
        y += line + 6;
    }
    // The legend, along the bottom.
    let mut x = 4;
    if !fig.shade_desc.is_empty() {
        let _ = root.draw(&Rectangle::new([(x, h - 16), (x + 16, h - 4)], shade(1.0).filled()));
        let text = format!("= {}", fig.shade_desc);
        let _ = root.draw(&Text::new(text.clone(), (x + 20, h - 17), label_font.clone().color(&GREY)));
        x += 40 + 7 * text.chars().count() as i32;
    }
    if !fig.mark_desc.is_empty() {
        let _ = root.draw(&Rectangle::new([(x, h - 16), (x + 16, h - 4)], RED.stroke_width(2)));
        let text = format!("= {}", fig.mark_desc);
        let _ = root.draw(&Text::new(text.clone(), (x + 20, h - 17), label_font.clone().color(&GREY)));
        x += 40 + 7 * text.chars().count() as i32;
    }
    if !fig.accent_desc.is_empty() {
        let _ = root.draw(&Rectangle::new([(x, h - 7), (x + 16, h - 4)], ACCENT.filled()));
        let _ = root.draw(&Text::new(format!("= {}", fig.accent_desc), (x + 20, h - 17), label_font.color(&GREY)));
    }
    let _ = root.present();
}
