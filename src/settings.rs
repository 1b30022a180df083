//! Lab settings: their schema, and validation shared by the share URL and the CLI.
//!
//! A setting's value is always kept as a canonical string, so that a link that
//! is parsed and written back comes out the same.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Choice(&'static [&'static str]),
    Int { min: i64, max: i64 },
    Float { min: f64, max: f64 },
    /// Words the user types (letters, apostrophes, spaces, commas, + and −),
    /// e.g. "whale, sea" or "king - man + woman"; kept lower-case.
    Words,
    /// Free text such as a sentence to classify: printable characters only,
    /// at most `max` bytes (it travels in the link).
    Text { max: usize },
}

#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: Kind,
    pub default: &'static str,
}

/// Every lab has a seed; it goes last in the link.
pub const SEED: Setting = Setting {
    key: "seed",
    label: "Seed",
    help: "Seeds the initial weights and data order: the same seed gives the same run.",
    kind: Kind::Int { min: 0, max: u32::MAX as i64 },
    default: "1",
};

/// The longest value we read; anything longer is rejected before parsing.
pub const MAX_VALUE_LEN: usize = 64;

impl Setting {
    /// The longest value it takes.
    pub fn max_len(&self) -> usize {
        if let Kind::Text { max } = self.kind { max } else { MAX_VALUE_LEN }
    }

    /// Checks a raw value and returns it in canonical form, or says what is wrong.
    pub fn validate(&self, raw: &str) -> Result<String, String> {
        let limit = self.max_len();
        if raw.len() > limit {
            return Err(format!("the value is {} characters long; the limit is {limit}", raw.len()));
        }
        let raw = raw.trim();
        match self.kind {
            Kind::Choice(options) => options
                .iter()
                .find(|o| **o == raw)
                .map(|o| o.to_string())
                .ok_or_else(|| format!("{} is not one of {}", quote(raw), options.join(", "))),
            Kind::Int { min, max } => {
                let v: i64 = raw.parse().map_err(|_| format!("{} is not a whole number", quote(raw)))?;
                if v < min || v > max {
                    return Err(format!("{v} is outside {min}–{max}"));
                }
                Ok(v.to_string())
            }
            Kind::Float { min, max } => {
                let v: f64 = raw.parse().map_err(|_| format!("{} is not a number", quote(raw)))?;
                if !v.is_finite() {
                    return Err(format!("{} is not a finite number", quote(raw)));
                }
                if v < min || v > max {
                    return Err(format!("{v} is outside {min}–{max}"));
                }
                Ok(v.to_string())
            }
            Kind::Words => {
                let lower = raw.to_ascii_lowercase();
                if let Some(bad) = lower.chars().find(|c| !(c.is_ascii_lowercase() || " ',+-".contains(*c))) {
                    return Err(format!("{} has a character ({}) that is not a letter, space, comma, + or −", quote(raw), quote(&bad.to_string())));
                }
                Ok(lower.split_whitespace().collect::<Vec<_>>().join(" "))
            }
            Kind::Text { .. } => Ok(raw.chars().filter(|c| !c.is_control()).collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")),
        }
    }
}

/// Shows a user-supplied value in a message: quoted, cut short, control characters dropped.
pub fn quote(raw: &str) -> String {
    let clean: String = raw.chars().filter(|c| !c.is_control()).take(24).collect();
    let more = if raw.chars().count() > 24 { "…" } else { "" };
    format!("“{clean}{more}”")
}

/// Validated settings of one lab, every key present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(pub BTreeMap<String, String>);

impl Params {
    pub fn defaults(schema: &[Setting]) -> Params {
        Params(schema.iter().map(|s| (s.key.to_string(), s.default.to_string())).collect())
    }

    /// The value of a setting the lab's schema has. A key it does not have is
    /// a bug in the lab (a misspelt name), and says so rather than reading as
    /// an empty value or 0.
    pub fn get(&self, key: &str) -> Result<&str, String> {
        self.0.get(key).map(String::as_str).ok_or_else(|| format!("this lab has no setting {} (a misspelt name?)", quote(key)))
    }

    /// The value of a setting, for showing it: empty where there is none.
    pub fn shown(&self, key: &str) -> &str {
        self.0.get(key).map(String::as_str).unwrap_or("")
    }

    pub fn f64(&self, key: &str) -> Result<f64, String> {
        self.parse(key)
    }

    pub fn usize(&self, key: &str) -> Result<usize, String> {
        self.parse(key)
    }

    pub fn u64(&self, key: &str) -> Result<u64, String> {
        self.parse(key)
    }

    fn parse<T: std::str::FromStr>(&self, key: &str) -> Result<T, String> {
        let raw = self.get(key)?;
        raw.parse().map_err(|_| format!("setting {key} is {}, which is not a {}", quote(raw), std::any::type_name::<T>()))
    }

    /// Sets `key` if the schema knows it and the value is valid.
    pub fn set(&mut self, schema: &[Setting], key: &str, raw: &str) -> Result<(), String> {
        let setting = schema
            .iter()
            .find(|s| s.key == key)
            .ok_or_else(|| format!("unknown setting {}", quote(key)))?;
        let value = setting.validate(raw).map_err(|e| format!("{}: {e}", setting.key))?;
        self.0.insert(key.to_string(), value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_and_checked() {
        let w = Setting { key: "probe", label: "", help: "", kind: Kind::Words, default: "" };
        assert_eq!(w.validate("  King  -  Man + woman ").unwrap(), "king - man + woman");
        assert!(w.validate("<script>").is_err());
        assert!(w.validate("café").is_err());
        assert!(w.validate(&"a".repeat(65)).is_err());
    }

    const LR: Setting = Setting {
        key: "lr",
        label: "lr",
        help: "",
        kind: Kind::Float { min: 1e-4, max: 10.0 },
        default: "0.1",
    };

    #[test]
    fn validation() {
        assert_eq!(LR.validate("0.5").unwrap(), "0.5");
        assert_eq!(LR.validate("5e-1").unwrap(), "0.5");
        assert!(LR.validate("NaN").is_err());
        assert!(LR.validate("inf").is_err());
        assert!(LR.validate("100").is_err());
        assert!(LR.validate("abc").is_err());
        assert!(SEED.validate("-1").is_err());
        assert_eq!(SEED.validate("42").unwrap(), "42");
        let long = "1".repeat(1000);
        assert!(SEED.validate(&long).is_err());
    }

    #[test]
    fn a_misspelt_key_is_an_error_not_zero() {
        let p = Params::defaults(&[LR, SEED]);
        assert_eq!(p.f64("lr").unwrap(), 0.1);
        assert_eq!(p.u64("seed").unwrap(), 1);
        assert!(p.usize("hiden").unwrap_err().contains("“hiden”"));
        assert!(p.get("sed").is_err());
        assert!(p.usize("lr").unwrap_err().contains("not a usize"), "a float is not read as a count");
    }

    #[test]
    fn quote_is_short_and_clean() {
        let q = quote(&format!("<script>\n{}", "a".repeat(100)));
        assert!(q.chars().count() < 30);
        assert!(!q.contains('\n'));
    }
}
