//! Charts drawn with plotters on a canvas: one chart per file, one drawing
//! function each, returning the caption with the numbers behind the picture.

pub mod boundary;
pub mod comparison;
pub mod confusion;
pub mod curve;
pub mod distance;
pub mod gradflow;
pub mod heatmap;
pub mod matrices;
pub mod misses;
pub mod neighbours;
pub mod probs;
pub mod regions;
pub mod report;
pub mod sample;
pub mod scatter;
pub mod verdict;
pub mod weights;

use plotters::style::RGBColor;

pub const BLUE: RGBColor = RGBColor(37, 99, 235);
pub const ORANGE: RGBColor = RGBColor(234, 88, 12);
pub const GREY: RGBColor = RGBColor(120, 120, 120);

/// One colour per model, in the order the labs list them.
pub fn model_colour(k: usize) -> RGBColor {
    [BLUE, ORANGE, RGBColor(22, 163, 74), GREY][k % 4]
}
