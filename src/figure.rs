//! The figures a lab shows: a closed set of kinds that the page knows how to
//! draw, each with its data and the caption that states its numbers.
//!
//! Labs build figures natively (so tests read their captions); the page draws
//! each kind with one function and never learns which lab sent it. A new lab
//! made of these kinds touches nothing under `src/web/`.

use serde::{Deserialize, Serialize};

/// How the page lays out a figure the lab declares in its spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A per-step curve the page draws from the snapshots' series of the
    /// figure's name; the only figure the lab does not send.
    Curve { unit_range: bool },
    /// A canvas of the usual size.
    Plot,
    /// A canvas twice as wide (several heatmaps side by side, seven matrices).
    Wide,
    /// An HTML table; a lab with one gets an "Export report" button.
    Table,
    /// A pad to draw on (28 × 28 pixels sent to the lab's `predict`), beside a
    /// canvas for the figure `predict` returns.
    Pad,
    /// A file to download (a generated data set), as a link.
    Download,
}

/// A figure a lab declares: `name` is the figure's (or curve's series') stable
/// id, used in the page as `data-chart`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FigureSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub shape: Shape,
}

impl FigureSpec {
    pub const fn curve(series: &'static str, title: &'static str) -> Self {
        FigureSpec { name: series, title, shape: Shape::Curve { unit_range: false } }
    }
    /// A curve of a share (accuracy): the y axis runs 0–1.
    pub const fn share(series: &'static str, title: &'static str) -> Self {
        FigureSpec { name: series, title, shape: Shape::Curve { unit_range: true } }
    }
    pub const fn plot(name: &'static str, title: &'static str) -> Self {
        FigureSpec { name, title, shape: Shape::Plot }
    }
    pub const fn wide(name: &'static str, title: &'static str) -> Self {
        FigureSpec { name, title, shape: Shape::Wide }
    }
    pub const fn table(name: &'static str, title: &'static str) -> Self {
        FigureSpec { name, title, shape: Shape::Table }
    }
    pub const fn pad(name: &'static str, title: &'static str) -> Self {
        FigureSpec { name, title, shape: Shape::Pad }
    }
    pub const fn download(name: &'static str, title: &'static str) -> Self {
        FigureSpec { name, title, shape: Shape::Download }
    }
}

/// One drawn figure, sent in a snapshot. A snapshot that leaves a figure out
/// leaves it as last drawn (MNIST's test report is sent only when it is new).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Figure {
    pub name: String,
    pub caption: String,
    pub plot: Plot,
}

impl Figure {
    pub fn new(name: &str, plot: Plot, caption: impl Into<String>) -> Self {
        Figure { name: name.to_string(), caption: caption.into(), plot }
    }
    /// Nothing to draw yet; the caption says what will appear.
    pub fn empty(name: &str, caption: impl Into<String>) -> Self {
        Figure::new(name, Plot::Empty, caption)
    }
}

/// The kinds of figure, adjacently tagged on the wire: `{"kind":…,"data":…}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", content = "data", rename_all = "lowercase")]
pub enum Plot {
    Empty,
    Plane(Plane),
    HBars(HBars),
    Bars(Bars),
    Counts(Counts),
    Images(Images),
    Ranked(Vec<Ranked>),
    Heatmaps(Heatmaps),
    Points(Points),
    Lines(Lines),
    Table(Table),
    Tokens(Tokens),
    Download(Download),
}

/// A text file the page offers as a download (a data set as JSONL).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Download {
    pub file_name: String,
    pub mime: String,
    pub text: String,
}

/// A square of the plane, shaded cell by cell, with points and straight lines
/// on it: a classifier's decision regions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plane {
    /// The square runs from `lo` to `hi` on both axes.
    pub lo: f32,
    pub hi: f32,
    /// `side × side` cells, row 0 at the top.
    pub side: usize,
    /// Per cell: a probability (0–1) when `classes` is 0, else a class index.
    pub cells: Vec<f32>,
    pub classes: u8,
    /// x, y, class (or 0/1 target), and 1 where the model gets the point wrong.
    pub points: Vec<[f32; 4]>,
    /// Lines w1·x + w2·y + b = 0.
    pub lines: Vec<[f32; 3]>,
    /// Draw the lines black (the model's own boundary) rather than grey.
    pub dark_lines: bool,
}

/// Named values as horizontal bars (weights, gradients, per-word pushes).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HBars {
    pub bars: Vec<(String, f32)>,
    pub x_desc: String,
    /// Write each value beside its bar.
    pub values: bool,
}

/// Vertical bars in panels side by side; in each panel, bars grouped by
/// category, one colour per series.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Bars {
    pub panels: Vec<BarPanel>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BarPanel {
    pub title: String,
    pub x_desc: String,
    /// Labels along the x axis, one per group.
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    /// The top of the y axis; 0 means 1.2 × the largest value.
    pub y_max: f32,
    /// One colour per category instead of per series (a single series of models).
    pub colour_by_category: bool,
    /// A category drawn in the highlight colour (the predicted digit).
    pub highlight: Option<usize>,
    /// Categories from this one on are cut off (sampling's top-k / top-p):
    /// drawn grey, behind a dashed line.
    #[serde(default)]
    pub cutoff: Option<usize>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BarSeries {
    pub name: String,
    /// One value per category.
    pub values: Vec<f32>,
    /// Written above each bar; empty strings write nothing.
    pub labels: Vec<String>,
}

/// A matrix of counts with labelled rows and columns (a confusion matrix);
/// the diagonal is shaded as right, the rest as wrong.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Counts {
    pub labels: Vec<String>,
    /// counts[row · n + column]
    pub counts: Vec<u32>,
    pub row_desc: String,
    pub col_desc: String,
}

/// Small grey images, each with a label under it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Images {
    pub side: usize,
    /// `side × side` grey levels each.
    pub images: Vec<Vec<u8>>,
    pub labels: Vec<String>,
}

/// A query's ranked answers with their scores (nearest words), or why there are none.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Ranked {
    pub title: String,
    pub items: Result<Vec<(String, f32)>, String>,
}

/// Heatmaps side by side, `columns` to a row, their rows (and columns, where
/// labelled) standing for the same things: the letters of a text.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Heatmaps {
    pub columns: usize,
    /// Labels of the rows, top down; a panel with fewer rows takes the first.
    pub row_labels: Vec<String>,
    /// May be empty.
    pub col_labels: Vec<String>,
    pub panels: Vec<Heatmap>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Heatmap {
    pub title: String,
    /// A second line under the title (a matrix's shape); may be empty.
    pub subtitle: String,
    pub rows: Vec<Vec<f32>>,
    pub scale: Scale,
    /// Write each cell's value in it where there is room.
    pub numbers: bool,
}

/// How a heatmap's values map to colour.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub enum Scale {
    /// 0 white to 1 blue (attention weights).
    Unit,
    /// Blue below 0, white at 0, orange above, full colour at ±`max`; a max
    /// of 0 takes the largest magnitude in the panel.
    Signed { max: f32 },
}

/// Points in 2-D, coloured by group, labelled (the first few on the plot,
/// every one on hover).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Points {
    pub points: Vec<(f32, f32)>,
    pub groups: Vec<u8>,
    pub labels: Vec<String>,
}

/// Lines against a numeric x, one per model, with a legend.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Lines {
    pub lines: Vec<Line>,
    pub x_desc: String,
    pub y_desc: String,
    /// A fixed y range; `None` fits the data.
    pub y_range: Option<(f32, f32)>,
    /// Plot log10 of the values, labelled as powers of ten.
    pub log_y: bool,
    /// A grey horizontal line at this y (chance).
    pub reference: Option<f32>,
    /// Mark each point with a dot.
    pub markers: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Line {
    pub name: String,
    pub points: Vec<(f32, f32)>,
}

/// Lines of text token by token, each token shaded by a value in 0–1 (the
/// probability the model gave it) and some marked: generated text, a chain of
/// reasoning, a sentence with its masked letters filled in.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Tokens {
    pub lines: Vec<TokenLine>,
    /// What the shade means ("probability the model gave the character"); empty
    /// when no line is shaded.
    pub shade_desc: String,
    /// What a red box means ("the edited character"); empty when none is marked.
    pub mark_desc: String,
    /// What a green underline means ("a calculator call and its result");
    /// empty when none is accented.
    #[serde(default)]
    pub accent_desc: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TokenLine {
    /// Written before the text ("with the mask").
    pub label: String,
    pub tokens: Vec<String>,
    /// One per token, 0–1; empty for plain text.
    pub shades: Vec<f32>,
    /// Tokens drawn boxed in red: an edit, a wrong guess, the sampled token.
    pub marks: Vec<usize>,
    /// Tokens underlined in green: a span of another kind (a tool call).
    #[serde(default)]
    pub accents: Vec<usize>,
}

impl TokenLine {
    /// A line of characters, unshaded.
    pub fn chars(label: &str, text: &str) -> Self {
        TokenLine { label: label.into(), tokens: text.chars().map(String::from).collect(), shades: Vec::new(), marks: Vec::new(), accents: Vec::new() }
    }
}

/// A table of text: a header row, then the rows.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Header and rows together, as the HTML export writes them.
    pub fn all_rows(&self) -> Vec<Vec<String>> {
        std::iter::once(self.header.clone()).chain(self.rows.iter().cloned()).collect()
    }
}

/// The caption of a per-step curve: its latest value.
pub fn curve_caption(name: &str, points: &[(u32, f32)]) -> String {
    match points.last() {
        Some((step, value)) => format!("{name}: {value:.4} at step {step}"),
        None => format!("{name}: no steps yet"),
    }
}

/// A metric as people read it: whole numbers (counts, steps; a share of
/// exactly 1) without decimals, large rates rounded, small numbers (errors)
/// with their digits (9.22e-5, not 0.0001).
pub fn format_metric(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let magnitude = value.abs();
    if value.fract() == 0.0 || magnitude >= 1000.0 {
        format!("{value:.0}")
    } else if magnitude >= 100.0 {
        format!("{value:.1}")
    } else if value != 0.0 && magnitude < 1e-3 {
        format!("{value:.2e}")
    } else {
        format!("{value:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_as_whole_numbers_and_shares_keep_their_digits() {
        assert_eq!(format_metric(37516.0), "37516");
        assert_eq!(format_metric(25630.113), "25630");
        assert_eq!(format_metric(585.34), "585.3");
        assert_eq!(format_metric(0.97123), "0.9712");
        assert_eq!(format_metric(1.0), "1");
        assert_eq!(format_metric(0.0), "0");
        assert_eq!(format_metric(9.22e-5), "9.22e-5");
        assert_eq!(format_metric(12.0), "12");
        assert_eq!(format_metric(2.5), "2.5000");
    }

    #[test]
    fn the_wire_format_is_tagged_and_compact() {
        let fig = Figure::new("w", Plot::HBars(HBars { bars: vec![("b".into(), 0.5)], x_desc: String::new(), values: true }), "c");
        let json = serde_json::to_string(&fig).unwrap();
        assert_eq!(json, r#"{"name":"w","caption":"c","plot":{"kind":"hbars","data":{"bars":[["b",0.5]],"x_desc":"","values":true}}}"#);
        assert_eq!(serde_json::from_str::<Figure>(&json).unwrap(), fig);
    }

    #[test]
    fn curve_captions_state_the_last_value() {
        assert_eq!(curve_caption("loss", &[(1, 0.5), (2, 0.25)]), "loss: 0.2500 at step 2");
        assert_eq!(curve_caption("loss", &[]), "loss: no steps yet");
    }
}
