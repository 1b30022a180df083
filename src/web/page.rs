//! Builds the page: the course map and the view of one lab. Wiring lives in `app`.

use super::dom::{add, clear, el, on};
use crate::figure::{FigureSpec, Shape};
use crate::labs::{self, LABS, WEEK_TITLES};
use crate::settings::Kind;
use crate::url::UrlState;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};

pub struct Shell {
    pub main: Element,
    pub notices: Element,
    pub backend: Element,
    pub backend_reason: Element,
}

pub fn build_shell(body: &Element) -> Shell {
    clear(body);
    let header = add(body, el("header", &[("class", "top")], ""));
    add(&header, el("h1", &[], "ReasonLab"));
    add(&header, el("p", &[("class", "tagline")], "Build a reasoning language model from scratch, in your browser, in 30 labs."));
    let badge = add(&header, el("p", &[("class", "backend")], "Backend: "));
    let backend = add(&badge, el("strong", &[("data-backend", "")], "starting…"));
    let backend_reason = add(&badge, el("span", &[("class", "why")], ""));
    let notices = add(body, el("div", &[("class", "notices"), ("role", "status"), ("aria-live", "polite")], ""));
    let layout = add(body, el("div", &[("class", "layout")], ""));
    // Under 800 px the map folds behind this button (style.css), so a shared
    // link opens on its lab; choosing a day folds it again.
    let toggle = add(&layout, el("button", &[("type", "button"), ("class", "map-toggle"), ("aria-expanded", "false"), ("aria-controls", "course-map")], "☰ Course map"));
    let nav = add(&layout, el("nav", &[("id", "course-map"), ("class", "course-map"), ("aria-label", "Course map")], ""));
    let fold = {
        let (nav, toggle) = (nav.clone(), toggle.clone());
        move |open: bool| {
            let _ = nav.class_list().toggle_with_force("open", open);
            let _ = toggle.set_attribute("aria-expanded", if open { "true" } else { "false" });
        }
    };
    let (f, n) = (fold.clone(), nav.clone());
    on(&toggle, "click", move |_| f(!n.class_list().contains("open")));
    on(&nav, "click", move |e| {
        if e.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| t.tag_name() == "A") {
            fold(false);
        }
    });
    for (w, title) in WEEK_TITLES.iter().enumerate() {
        let week = add(&nav, el("section", &[("class", "week")], ""));
        add(&week, el("h2", &[], title));
        let list = add(&week, el("ol", &[], ""));
        for lab in LABS.iter().filter(|l| l.week() as usize == w + 1) {
            let label = format!("Day {} · {}", lab.day, lab.title);
            if labs::spec(lab.id).is_some() {
                let li = add(&list, el("li", &[("class", "ready"), ("data-lab", lab.id)], ""));
                add(&li, el("a", &[("href", &format!("#lab={}", lab.id))], &label));
            } else {
                let li = add(&list, el("li", &[("class", "soon"), ("data-lab", lab.id), ("aria-disabled", "true")], ""));
                add(&li, el("span", &[], &label));
                add(&li, el("small", &[], "not built yet"));
            }
        }
    }
    super::offline::build(&nav);
    let main = add(&layout, el("main", &[("id", "lab"), ("data-status", "idle")], ""));
    Shell { main, notices, backend, backend_reason }
}

pub struct Buttons {
    pub run: Element,
    pub pause: Element,
    pub step: Element,
    pub reset: Element,
    pub copy: Element,
    /// Saves the page's report as an HTML file (report labs only).
    pub export: Option<Element>,
    /// Saves it as Markdown with its plots as PNGs, in a zip.
    pub export_md: Option<Element>,
}

/// A figure on the page: a canvas, or a table, with its caption.
pub struct Chart {
    pub canvas: Option<HtmlCanvasElement>,
    pub table: Option<Element>,
    /// The link of a download.
    pub link: Option<Element>,
    pub caption: Element,
}

/// The drawing pad of a lab that classifies what the user draws.
pub struct SketchUi {
    pub pad: HtmlCanvasElement,
    pub clear: Element,
    /// The figure that shows the lab's answer to the drawing.
    pub figure: &'static str,
}

pub struct LabUi {
    pub controls: Vec<(String, Element)>,
    pub preset: Element,
    pub backend: Element,
    pub buttons: Buttons,
    pub progress: Element,
    pub progress_text: Element,
    pub note: Element,
    pub link: Element,
    pub copied: Element,
    pub metrics: Element,
    pub charts: Vec<(FigureSpec, Chart)>,
    pub sketch: Option<SketchUi>,
    pub upload: Option<UploadUi>,
    /// The settings under "Advanced", where the lab marks basic ones.
    pub advanced: Option<Element>,
    /// The model store, for a lab that trains or takes a GPT.
    pub models: Option<super::models::ModelsUi>,
}

/// Opens "Advanced" where a setting under it differs from its default (a
/// link or a preset set it), so no setting in effect is hidden.
pub fn open_advanced(advanced: &Option<Element>, lab: &str, params: &crate::settings::Params) {
    let Some(d) = advanced else { return };
    let basic = labs::spec(lab).map_or(&[][..], |s| s.basic);
    if labs::schema(lab).iter().any(|s| !basic.contains(&s.key) && params.shown(s.key) != s.default) {
        let _ = d.set_attribute("open", "");
    }
}

/// The file picker of a lab whose text can be the user's own file.
pub struct UploadUi {
    /// The choice setting that offers "file".
    pub key: &'static str,
    pub input: Element,
    pub status: Element,
}

/// Fills `main` with the lab's view. `None` for a lab that is not built yet.
pub fn build_lab(main: &Element, state: &UrlState) -> Option<LabUi> {
    clear(main);
    let info = labs::find(&state.lab)?;
    let _ = main.set_attribute("data-lab", info.id);
    add(main, el("h2", &[], &format!("Day {} · {}", info.day, info.title)));
    let Some(spec) = labs::spec(info.id) else {
        add(main, el("p", &[("class", "soon")], &format!("This lab is not built yet: it comes with week {} of the course. Day 1 is ready.", info.week())));
        return None;
    };
    let intro = add(main, el("section", &[("class", "intro")], ""));
    // On a narrow screen the first paragraph shows and the rest fold, so the
    // settings and Run come within two screens.
    let mut more = intro.clone();
    for (i, para) in spec.intro.iter().enumerate() {
        if i == 1 {
            let wide = super::dom::window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w > 800.0);
            more = add(&intro, el("details", &[("class", "more")], ""));
            add(&more, el("summary", &[], "More about this day"));
            if wide {
                let _ = more.set_attribute("open", "");
            }
        }
        add(&more, el("p", &[], para));
    }

    let panel = add(main, el("section", &[("class", "controls"), ("aria-label", "Settings")], ""));
    let preset_label = add(&panel, el("label", &[], "Preset "));
    let preset = add(&preset_label, el("select", &[("data-preset", "")], ""));
    add(&preset, el("option", &[("value", "")], "choose…"));
    for (i, p) in spec.presets.iter().enumerate() {
        add(&preset, el("option", &[("value", &i.to_string())], p.name));
    }
    let mut controls = Vec::new();
    let mut upload = None;
    // A long list shows its basic settings; the rest wait under a disclosure.
    let advanced = (!spec.basic.is_empty()).then(|| {
        let d = el("details", &[("class", "advanced")], "");
        add(&d, el("summary", &[], "Advanced settings"));
        let rows = add(&d, el("div", &[], ""));
        (d, rows)
    });
    for setting in labs::schema(info.id) {
        let parent = advanced.as_ref().filter(|_| !spec.basic.contains(&setting.key)).map_or(&panel, |(_, rows)| rows);
        let label = add(parent, el("label", &[("title", setting.help)], &format!("{} ", setting.label)));
        let value = state.params.shown(setting.key);
        let input = match setting.kind {
            Kind::Choice(options) => {
                let select = add(&label, el("select", &[("data-setting", setting.key)], ""));
                for o in options {
                    let opt = add(&select, el("option", &[("value", o)], o));
                    if *o == value {
                        let _ = opt.set_attribute("selected", "");
                    }
                }
                select
            }
            Kind::Int { min, max } => add(&label, el("input", &[("type", "number"), ("data-setting", setting.key), ("min", &min.to_string()), ("max", &max.to_string()), ("step", "1"), ("value", value)], "")),
            Kind::Float { min, max } => add(&label, el("input", &[("type", "number"), ("data-setting", setting.key), ("min", &min.to_string()), ("max", &max.to_string()), ("step", "any"), ("value", value)], "")),
            Kind::Text { .. } => add(&label, el("input", &[("type", "text"), ("class", "wide"), ("data-setting", setting.key), ("value", value)], "")),
            Kind::Words => add(&label, el("input", &[("type", "text"), ("data-setting", setting.key), ("maxlength", "64"), ("spellcheck", "false"), ("value", value)], "")),
        };
        controls.push((setting.key.to_string(), input));
        // The choice a lab declares reads the person's file gets a file picker beside it.
        if spec.takes.upload == Some(setting.key) {
            let pick = add(parent, el("label", &[("title", "A UTF-8 text file of yours: it stays in this browser and is not put in the link.")], "Your text file "));
            let input = add(&pick, el("input", &[("type", "file"), ("accept", ".txt,text/plain"), ("data-upload", setting.key)], ""));
            let status = add(parent, el("span", &[("class", "upload"), ("data-upload-status", ""), ("role", "status")], ""));
            upload = Some(UploadUi { key: setting.key, input, status });
        }
    }
    let backend_label = add(&panel, el("label", &[("title", "auto picks the faster backend for this lab; webgpu or cpu force one.")], "Backend "));
    let backend = add(&backend_label, el("select", &[("data-setting", "backend")], ""));
    for name in crate::backend::BackendChoice::NAMES {
        let opt = add(&backend, el("option", &[("value", name)], name));
        if *name == state.backend.name() {
            let _ = opt.set_attribute("selected", "");
        }
    }
    let advanced = advanced.map(|(d, _)| add(&panel, d));
    open_advanced(&advanced, info.id, &state.params);

    let bar = add(main, el("div", &[("class", "buttons"), ("role", "toolbar"), ("aria-label", "Training")], ""));
    let button = |label: &str, action: &str, keys: &str| {
        add(&bar, el("button", &[("type", "button"), ("data-action", action), ("aria-keyshortcuts", keys), ("title", &format!("{label} ({keys})"))], label))
    };
    let buttons = Buttons {
        run: button("Run", "run", "Space"),
        pause: button("Pause", "pause", "Space"),
        step: button("Step", "step", "S"),
        reset: button("Reset", "reset", "R"),
        copy: button("Copy link", "copy", "C"),
        export: spec.has_report().then(|| button("Export report (HTML)", "export", "E")),
        export_md: spec.has_report().then(|| button("Export Markdown + PNGs (.zip)", "export-md", "M")),
    };
    let copied = add(&bar, el("span", &[("class", "copied"), ("role", "status")], ""));
    add(main, el("p", &[("class", "keys")], "Keys: Space run/pause · S step · R reset · C copy link"));
    let link = add(main, el("input", &[("class", "link"), ("readonly", ""), ("aria-label", "Share link")], ""));
    let prog = add(main, el("div", &[("class", "progress")], ""));
    let progress = add(&prog, el("progress", &[("max", "1"), ("value", "0")], ""));
    let progress_text = add(&prog, el("span", &[], ""));
    let note = add(main, el("p", &[("class", "note"), ("aria-live", "polite")], ""));
    let models = (spec.takes.models != labs::Kept::None).then(|| super::models::build(main));

    let section = add(main, el("section", &[("class", "charts")], ""));
    let canvas = |fig: &Element, spec: &FigureSpec, (w, h): (&str, &str)| -> HtmlCanvasElement {
        add(fig, el("canvas", &[("width", w), ("height", h), ("data-chart", spec.name), ("role", "img"), ("aria-label", spec.title)], "")).unchecked_into()
    };
    let mut sketch = None;
    let charts = spec
        .figures
        .iter()
        .map(|spec| {
            let chart = match spec.shape {
                Shape::Curve { .. } | Shape::Plot => {
                    let fig = add(&section, el("figure", &[], ""));
                    Chart { canvas: Some(canvas(&fig, spec, ("360", "260"))), table: None, link: None, caption: add(&fig, el("figcaption", &[], spec.title)) }
                }
                // Several heatmaps side by side, or seven matrices, need a wider canvas.
                Shape::Wide => {
                    let fig = add(&section, el("figure", &[("class", "wide")], ""));
                    Chart { canvas: Some(canvas(&fig, spec, ("720", "380"))), table: None, link: None, caption: add(&fig, el("figcaption", &[], spec.title)) }
                }
                Shape::Table => {
                    let fig = add(&section, el("figure", &[("class", "wide table")], ""));
                    let table = add(&fig, el("table", &[("data-chart", spec.name), ("aria-label", spec.title)], ""));
                    Chart { canvas: None, table: Some(table), link: None, caption: add(&fig, el("figcaption", &[], spec.title)) }
                }
                Shape::Download => {
                    let fig = add(&section, el("figure", &[("class", "download")], ""));
                    let link = add(&fig, el("a", &[("data-chart", spec.name), ("class", "button")], spec.title));
                    Chart { canvas: None, table: None, link: Some(link), caption: add(&fig, el("figcaption", &[], spec.title)) }
                }
                Shape::Pad => {
                    let fig = add(&section, el("figure", &[("class", "sketch")], ""));
                    let pad = add(&fig, el("canvas", &[("width", "280"), ("height", "280"), ("data-chart", "sketch-pad"), ("role", "img"), ("aria-label", "Drawing pad: draw a digit with the mouse, a pen or a finger")], ""));
                    let clear = add(&fig, el("button", &[("type", "button"), ("data-action", "clear-sketch")], "Clear drawing"));
                    add(&fig, el("figcaption", &[], "Draw a digit (white on black), as large as the box."));
                    sketch = Some(SketchUi { pad: pad.unchecked_into(), clear, figure: spec.name });
                    let fig = add(&section, el("figure", &[], ""));
                    Chart { canvas: Some(canvas(&fig, spec, ("360", "260"))), table: None, link: None, caption: add(&fig, el("figcaption", &[], spec.title)) }
                }
            };
            (*spec, chart)
        })
        .collect();

    let table = add(main, el("table", &[("class", "metrics")], ""));
    add(&table, el("caption", &[], "Current metrics"));
    let metrics = add(&table, el("tbody", &[], ""));
    next_day(main, info.day, spec);
    Some(LabUi { controls, preset, backend, buttons, progress, progress_text, note, link, copied, metrics, charts, sketch, upload, advanced, models })
}

/// Sets (or takes away) one of a day's marks in the course map: a small text
/// after its link (`class`), and `attribute` on its item holding the same
/// text. The offline, run and kept marks all go through here.
pub fn mark_day(id: &str, class: &str, attribute: &str, text: Option<&str>) {
    let Ok(Some(li)) = super::dom::document().query_selector(&format!("nav.course-map li[data-lab=\"{id}\"]")) else { return };
    let existing = li.query_selector(&format!(".{class}")).ok().flatten();
    match (text, existing) {
        (Some(text), existing) => {
            let _ = li.set_attribute(attribute, text);
            match existing {
                Some(m) => super::dom::set_text(&m, text),
                None => {
                    add(&li, el("small", &[("class", class)], text));
                }
            }
        }
        (None, Some(m)) => {
            let _ = li.remove_attribute(attribute);
            m.remove();
        }
        (None, None) => {}
    }
}

/// The way on: what this lab's runs leave for later days (a lab that keeps
/// models), and the next day of the course.
fn next_day(main: &Element, day: u8, spec: &labs::LabSpec) {
    let later = || LABS.iter().filter(move |l| l.day > day && labs::spec(l.id).is_some());
    let foot = add(main, el("nav", &[("class", "next"), ("aria-label", "Next in the course")], ""));
    let takers: Vec<String> = later().filter(|l| labs::spec(l.id).is_some_and(|s| s.takes.models != labs::Kept::None)).map(|l| format!("Day {} ({})", l.day, l.title)).collect();
    if spec.takes.keeps && !takers.is_empty() {
        add(&foot, el("p", &[("data-keep", "")], &format!("A finished run is kept in this browser (the list above), for the days that take kept models: {}.", takers.join(", "))));
    }
    match later().next() {
        Some(next) => {
            let line = add(&foot, el("p", &[], "Next: "));
            add(&line, el("a", &[("href", &format!("#lab={}", next.id)), ("data-next", next.id)], &format!("Day {} · {}", next.day, next.title)));
        }
        None => {
            add(&foot, el("p", &[], "This is the last day of the course."));
        }
    }
}

/// The `<td data-metric=name>` of a metric, created on first use.
pub fn metric_cell(tbody: &Element, name: &str) -> Element {
    if let Ok(Some(cell)) = tbody.query_selector(&format!("[data-metric=\"{name}\"]")) {
        return cell;
    }
    let row = add(tbody, el("tr", &[], ""));
    add(&row, el("th", &[("scope", "row")], name));
    add(&row, el("td", &[("data-metric", name)], "–"))
}

/// The cell beside a metric's value that holds its 95 % interval and n
/// (accuracies only), made on first use.
pub fn interval_cell(tbody: &Element, name: &str) -> Element {
    if let Ok(Some(cell)) = tbody.query_selector(&format!("[data-interval=\"{name}\"]")) {
        return cell;
    }
    let value = metric_cell(tbody, name);
    let row = value.parent_element().unwrap_or_else(|| tbody.clone());
    add(&row, el("td", &[("data-interval", name), ("class", "interval")], ""))
}
