//! The share link: the whole state of the page in the URL hash,
//! `#lab=<id>&<key>=<value>&…&seed=<n>&backend=<b>&run=1`.
//!
//! Parsing never fails: every bad key falls back to its default and adds a
//! readable notice. Values are only ever compared against known settings, never
//! echoed into HTML, so a hostile link cannot inject anything.

use crate::backend::BackendChoice;
use crate::labs;
use crate::settings::{quote, Params};

pub const DEFAULT_LAB: &str = "perceptron";
/// We look at no more pairs than this; a longer hash is cut there.
pub const MAX_PAIRS: usize = 64;
/// At most this many notices are listed one by one.
pub const MAX_NOTICES: usize = 6;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlState {
    pub lab: String,
    pub params: Params,
    pub backend: BackendChoice,
    pub run: bool,
}

impl UrlState {
    pub fn defaults(lab: &str) -> UrlState {
        UrlState {
            lab: lab.to_string(),
            params: Params::defaults(&labs::schema(lab)),
            backend: BackendChoice::Auto,
            run: false,
        }
    }

    /// The hash, without the leading `#`, keys in a stable order.
    pub fn to_hash(&self) -> String {
        let mut out = format!("lab={}", encode(&self.lab));
        for setting in labs::schema(&self.lab) {
            out.push_str(&format!("&{}={}", setting.key, encode(self.params.shown(setting.key))));
        }
        out.push_str(&format!("&backend={}", self.backend.name()));
        if self.run {
            out.push_str("&run=1");
        }
        out
    }
}

/// Reads a hash (with or without `#`). Returns the state and what was wrong with it.
pub fn parse_hash(hash: &str) -> (UrlState, Vec<String>) {
    let hash = hash.strip_prefix('#').unwrap_or(hash);
    let mut notices = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (i, part) in hash.split('&').filter(|p| !p.is_empty()).enumerate() {
        if i == MAX_PAIRS {
            notices.push(format!("The link has more than {MAX_PAIRS} settings; the rest were ignored."));
            break;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        match (decode(k), decode(v)) {
            (Some(k), Some(v)) => pairs.push((k, v)),
            _ => notices.push(format!("Ignored {}: it is not valid URL encoding.", quote(part))),
        }
    }

    let lab = match pairs.iter().find(|(k, _)| k == "lab") {
        None => DEFAULT_LAB.to_string(),
        Some((_, id)) => match labs::find(id) {
            Some(info) => info.id.to_string(),
            None => {
                notices.push(format!("There is no lab {}; showing Day 1 instead.", quote(id)));
                DEFAULT_LAB.to_string()
            }
        },
    };
    let schema = labs::schema(&lab);
    let mut state = UrlState::defaults(&lab);
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in &pairs {
        if seen.contains(&key.as_str()) {
            notices.push(format!("{} appears twice; the first value was used.", quote(key)));
            continue;
        }
        seen.push(key);
        match key.as_str() {
            "lab" => {}
            "backend" => match BackendChoice::parse(value) {
                Some(b) => state.backend = b,
                None => notices.push(format!(
                    "Ignored backend {}: use auto, webgpu or cpu. Using auto.",
                    quote(value)
                )),
            },
            "run" => match value.as_str() {
                "1" | "true" => state.run = true,
                "0" | "false" | "" => state.run = false,
                _ => notices.push(format!("Ignored run {}: use run=1.", quote(value))),
            },
            _ => {
                if let Err(why) = state.params.set(&schema, key, value) {
                    let default = schema.iter().find(|s| s.key == key).map(|s| s.default);
                    notices.push(match default {
                        Some(d) => format!("Ignored {why}; using the default {d}."),
                        None if labs::spec(&lab).is_none() => format!("Ignored {}: this lab has no settings yet.", quote(key)),
                        None => format!("Ignored {}: this lab has no such setting.", quote(key)),
                    });
                }
            }
        }
    }
    if notices.len() > MAX_NOTICES {
        let more = notices.len() - MAX_NOTICES + 1;
        notices.truncate(MAX_NOTICES - 1);
        notices.push(format!("…and {more} more problems with the link."));
    }
    (state, notices)
}

/// Percent-encodes everything but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decodes a key or value, `+` being a space (as in a form's query
/// string). `None` for a broken escape (a `%` not followed by two hex digits) or
/// bytes that are not UTF-8; the caller turns that into a notice.
pub fn decode(s: &str) -> Option<String> {
    // percent-encoding passes a broken escape through as it is; a link with one
    // was mangled on its way, so it is refused whole, as it always was.
    let escapes_ok = s
        .split('%')
        .skip(1)
        .all(|rest| rest.as_bytes().get(..2).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)));
    if !escapes_ok {
        return None;
    }
    // `+` first, so that an escaped plus (`%2B`) stays a plus.
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8().ok().map(|text| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_link_parses_cleanly() {
        let (s, notices) = parse_hash("#lab=perceptron&gate=xor&model=mlp&seed=1&steps=100&backend=webgpu&run=1");
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(s.lab, "perceptron");
        assert_eq!(s.params.shown("gate"), "xor");
        assert_eq!(s.params.shown("model"), "mlp");
        assert_eq!(s.params.shown("steps"), "100");
        assert_eq!(s.backend, BackendChoice::Webgpu);
        assert!(s.run);
        let (again, n) = parse_hash(&s.to_hash());
        assert!(n.is_empty());
        assert_eq!(again, s);
    }

    #[test]
    fn bad_keys_fall_back_alone() {
        let (s, notices) = parse_hash("lab=perceptron&gate=xor&lr=NaN&steps=-5&hidden=abc&foo=1");
        assert_eq!(s.params.shown("gate"), "xor", "a good key survives its bad neighbours");
        assert_eq!(s.params.shown("lr"), "0.1");
        assert_eq!(s.params.shown("steps"), "100");
        assert_eq!(s.params.shown("hidden"), "4");
        assert_eq!(notices.len(), 4, "{notices:?}");
    }

    #[test]
    fn unknown_lab_and_hostile_values() {
        let (s, notices) = parse_hash("lab=%3Cscript%3Ealert(1)%3C%2Fscript%3E&gate=%3Cimg%20src=x%20onerror=alert(1)%3E");
        assert_eq!(s.lab, "perceptron");
        assert_eq!(s.params.shown("gate"), "and");
        assert_eq!(notices.len(), 2);
        let (_, notices) = parse_hash(&format!("lab=perceptron&gate={}", "A".repeat(100_000)));
        assert_eq!(notices.len(), 1);
        assert!(notices[0].len() < 200);
    }

    #[test]
    fn unbuilt_labs_are_kept_with_no_settings() {
        // Every lab of the course is built by now; the rule holds for any that is not.
        for info in crate::labs::LABS.iter().filter(|l| crate::labs::spec(l.id).is_none()) {
            let (s, notices) = parse_hash(&format!("lab={}&lr=0.1", info.id));
            assert_eq!(s.lab, info.id);
            assert_eq!(notices.len(), 1);
            assert_eq!(s.to_hash(), format!("lab={}&seed=1&backend=auto", info.id));
        }
        // A setting a built lab does not have is dropped, with a notice.
        let (s, notices) = parse_hash("lab=report&lr=0.1");
        assert_eq!(s.lab, "report");
        assert_eq!(notices.len(), 1);
        assert!(!s.to_hash().contains("lr=") && s.to_hash().starts_with("lab=report&"), "{}", s.to_hash());
    }

    #[test]
    fn decode_encode() {
        assert_eq!(decode("a%20b+c").unwrap(), "a b c");
        assert_eq!(decode("%zz"), None);
        assert_eq!(decode("%"), None);
        assert_eq!(decode("%C3%A9").unwrap(), "é");
        assert_eq!(decode("%FF"), None);
        assert_eq!(encode("a b<"), "a%20b%3C");
    }

    #[test]
    fn escapes_need_two_hex_digits() {
        // `u8::from_str_radix` took "+1" for the number 1, so "%+1" was a 0x01 byte.
        for broken in ["%+1", "%-1", "% 1", "%1", "a%1g", "%%41", "%\u{e9}1"] {
            assert_eq!(decode(broken), None, "{broken:?}");
        }
        let (s, notices) = parse_hash("lab=perceptron&gate=%+1");
        assert_eq!(s.params.shown("gate"), "and", "the broken value falls back to the default");
        assert_eq!(notices, vec!["Ignored “gate=%+1”: it is not valid URL encoding.".to_string()]);
    }

    #[test]
    fn valid_escapes_plus_and_space() {
        assert_eq!(decode("%41%62%7e").unwrap(), "Ab~");
        assert_eq!(decode("%c3%a9%C3%A9").unwrap(), "éé", "either case of hex digits");
        assert_eq!(decode("a+b%20c").unwrap(), "a b c", "+ and %20 are both a space");
        assert_eq!(decode("1%2B1+%3D+2").unwrap(), "1+1 = 2", "an escaped plus stays a plus");
        assert_eq!(decode("%25").unwrap(), "%");
        assert_eq!(decode("dog%2C%20zebra").unwrap(), "dog, zebra");
        assert_eq!(decode("").unwrap(), "");
        // What `encode` writes reads back the same, `+`, `%` and spaces included.
        for text in ["a+b c", "100%", "é + ü", "<&=#>", "%+1"] {
            assert_eq!(decode(&encode(text)).unwrap(), text);
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_give_a_notice_not_a_panic() {
        for bad in ["%FF", "%C3", "%C3%28", "%ED%A0%80", "x%80y"] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        let (s, notices) = parse_hash("lab=perceptron&gate=%FF&model=mlp");
        assert_eq!(s.params.shown("gate"), "and");
        assert_eq!(s.params.shown("model"), "mlp", "its neighbours still apply");
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].contains("not valid URL encoding"), "{notices:?}");
    }
}
