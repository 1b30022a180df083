//! The user's own text, for a lab whose corpus setting offers "file": picked
//! from disk, kept in this browser (localStorage) so that a reload keeps it,
//! never put in the link, and handed to the worker with each load.

use super::dom;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;

const TEXT_KEY: &str = "reasonlab:upload";
const NAME_KEY: &str = "reasonlab:upload-name";
/// A larger file is refused before it is read: the labs take 2,000,000
/// characters at most, and a huge file would freeze the tab.
const MAX_BYTES: f64 = 16e6;

/// A text the user picked: its file name and its contents.
#[derive(Clone, Debug)]
pub struct Upload {
    pub name: String,
    pub text: String,
}

impl Upload {
    /// "plays.txt, 1,036,467 characters".
    pub fn describe(&self) -> String {
        format!("{}, {} characters", self.name, thousands(self.text.chars().count()))
    }
}

fn storage() -> Option<web_sys::Storage> {
    dom::window().local_storage().ok().flatten()
}

/// The text kept from an earlier visit, if any.
pub fn stored() -> Option<Upload> {
    let s = storage()?;
    let text = s.get_item(TEXT_KEY).ok().flatten()?;
    let name = s.get_item(NAME_KEY).ok().flatten().unwrap_or_else(|| "your file".into());
    Some(Upload { name, text })
}

/// Keeps the text for the next visit; a full or refused storage says so (the
/// text still serves this visit).
pub fn store(upload: &Upload) -> Result<(), String> {
    let s = storage().ok_or("this browser keeps no local storage for the page")?;
    let _ = s.remove_item(TEXT_KEY);
    s.set_item(TEXT_KEY, &upload.text)
        .and_then(|_| s.set_item(NAME_KEY, &upload.name))
        .map_err(|_| "the browser's storage for this page is full or refused".to_string())
}

/// Reads the file chosen in `input` as UTF-8 text.
pub async fn read(input: &HtmlInputElement) -> Result<Upload, String> {
    let file = input.files().and_then(|f| f.get(0)).ok_or("no file was chosen")?;
    if file.size() > MAX_BYTES {
        return Err(format!("{} is {:.1} MB; the labs take text files up to {:.0} MB.", file.name(), file.size() / 1e6, MAX_BYTES / 1e6));
    }
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{} could not be read", file.name()))?;
    let text = text.as_string().ok_or("the file did not read as text")?;
    if text.contains('\u{FFFD}') && !text.is_empty() && text.matches('\u{FFFD}').count() * 100 > text.chars().count() {
        return Err(format!("{} does not look like UTF-8 text: save it as UTF-8, or pick another.", file.name()));
    }
    let _ = input.dyn_ref::<HtmlInputElement>().map(|i| i.set_value(""));
    Ok(Upload { name: file.name(), text })
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
