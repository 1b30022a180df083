//! Small DOM helpers. Text always goes in through `textContent`, never as HTML,
//! so nothing that came from a URL can become markup or script.

use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget, HtmlElement};

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a page has a window")
}

pub fn document() -> Document {
    window().document().expect("a window has a document")
}

/// Creates `<tag attr=value…>text</tag>`.
pub fn el(tag: &str, attrs: &[(&str, &str)], text: &str) -> Element {
    let e = document().create_element(tag).expect("valid tag name");
    for (k, v) in attrs {
        let _ = e.set_attribute(k, v);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

/// Appends `child` to `parent` and returns the child, for chaining.
pub fn add(parent: &Element, child: Element) -> Element {
    let _ = parent.append_child(&child);
    child
}

pub fn clear(e: &Element) {
    e.set_text_content(None);
}

pub fn set_text(e: &Element, text: &str) {
    if e.text_content().as_deref() != Some(text) {
        e.set_text_content(Some(text));
    }
}

/// Listens for `event` on `target` for the rest of the page's life.
pub fn on(target: &EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

pub fn focus(e: &Element) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        let _ = h.focus();
    }
}
