//! A model file's JSON header, read in one pass that keeps only what a GPT's
//! file can hold. A general JSON value would take tens of bytes for every
//! few bytes of a stranger's header (`[0,0,0,…]` or `{"a":"",…}`), so the
//! loader could not promise to stay within the file's size; here metadata
//! keeps its strings (other values are skipped without being built), a
//! tensor keeps its dtype, at most four dimensions and two offsets, and
//! names, entries and tensors are counted and refused past their limits as
//! they are read.

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// Metadata entries read at most: the labs write fewer than 60 (their
/// settings, a few metrics and curves, the record of training questions).
pub const MAX_ENTRIES: usize = 256;
/// The longest tensor name or metadata key: ours are under 40 bytes.
pub const MAX_NAME: usize = 128;
/// The longest string written with escapes. serde_json copies such a string
/// into a scratch buffer that can grow to twice its length before the string
/// is kept: without this cap a header of one long escaped string would take
/// three times its size. Ours are the config and the vocabulary (4,096
/// characters at most); the record of training questions is base64, which
/// has nothing to escape and is read in place.
pub const MAX_ESCAPED: usize = 32 << 10;

/// A header as read: the metadata's strings and each tensor's entry.
#[derive(Default)]
pub struct Header {
    /// `__metadata__`'s string entries; `None` when the header has none.
    pub meta: Option<BTreeMap<String, String>>,
    pub tensors: BTreeMap<String, Entry>,
}

/// What a header says of one tensor.
#[derive(Default)]
pub struct Entry {
    pub f32: bool,
    pub shape: Option<Vec<u64>>,
    pub offsets: Option<Vec<u64>>,
}

/// Reads a header of at most `max_tensors` tensors; says where it stops.
pub fn read(text: &str, max_tensors: usize) -> Result<Header, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let header = de.deserialize_map(HeaderVisitor { max_tensors }).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(header)
}

struct HeaderVisitor {
    max_tensors: usize,
}

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a safetensors header (an object of tensors)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut h = Header::default();
        while let Some(Name(key)) = map.next_key()? {
            if key == "__metadata__" {
                if h.meta.is_some() {
                    return Err(de::Error::custom("it holds two __metadata__"));
                }
                h.meta = Some(map.next_value::<Meta>()?.0);
            } else if h.tensors.contains_key(&key) {
                return Err(de::Error::custom(format!("it names the tensor {key} twice")));
            } else if h.tensors.len() == self.max_tensors {
                return Err(de::Error::custom(format!("it holds more than {} tensors, the most a lab's GPT has", self.max_tensors)));
            } else {
                let entry = map.next_value::<Entry>()?;
                h.tensors.insert(key, entry);
            }
        }
        Ok(h)
    }
}

/// A key of at most `MAX_NAME` bytes, refused before it is copied.
struct Name(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a name of at most {MAX_NAME} bytes")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Name, E> {
                if s.len() > MAX_NAME {
                    return Err(E::custom(format!("it has a name of {} bytes; at most {MAX_NAME} are read", s.len())));
                }
                Ok(Name(s.to_owned()))
            }
        }
        d.deserialize_str(V)
    }
}

/// A metadata value: a string, or `None` for any other value, skipped
/// without being built.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a metadata value")
            }
            // Read in place: nothing was copied to reach here.
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text, E> {
                Ok(Text(Some(s.to_owned())))
            }
            // Unescaped into serde_json's scratch buffer first.
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
                if s.len() > MAX_ESCAPED {
                    return Err(E::custom(format!("it has an escaped string of {} bytes; at most {MAX_ESCAPED} are read", s.len())));
                }
                Ok(Text(Some(s.to_owned())))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_unit<E>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `__metadata__`: its string entries, counted.
struct Meta(BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Meta;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of metadata")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Meta, A::Error> {
                // The names of skipped entries are kept too: a name given
                // twice, whatever its values, reads differently elsewhere.
                let (mut meta, mut skipped) = (BTreeMap::new(), std::collections::BTreeSet::new());
                while let Some(Name(key)) = map.next_key()? {
                    if meta.len() + skipped.len() == MAX_ENTRIES {
                        return Err(de::Error::custom(format!("it holds more than {MAX_ENTRIES} metadata entries")));
                    }
                    if meta.contains_key(&key) || skipped.contains(&key) {
                        return Err(de::Error::custom(format!("it names the metadata entry {key} twice")));
                    }
                    match map.next_value()? {
                        Text(Some(value)) => {
                            meta.insert(key, value);
                        }
                        Text(None) => {
                            skipped.insert(key);
                        }
                    }
                }
                Ok(Meta(meta))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tensor's dtype, shape and data_offsets")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
                let mut e = Entry::default();
                while let Some(Name(key)) = map.next_key()? {
                    match key.as_str() {
                        "dtype" => e.f32 = matches!(map.next_value::<Text>()?, Text(Some(t)) if t == "F32"),
                        "shape" => e.shape = Some(map.next_value::<Numbers<4>>()?.0),
                        "data_offsets" => e.offsets = Some(map.next_value::<Numbers<2>>()?.0),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(e)
            }
        }
        d.deserialize_map(V)
    }
}

/// An array of at most `N` whole numbers: a shape, or a byte range.
struct Numbers<const N: usize>(Vec<u64>);

impl<'de, const N: usize> Deserialize<'de> for Numbers<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<const N: usize>;
        impl<'de, const N: usize> Visitor<'de> for V<N> {
            type Value = Numbers<N>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "at most {N} whole numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Numbers<N>, A::Error> {
                let mut out = Vec::with_capacity(N);
                while let Some(x) = seq.next_element::<u64>()? {
                    if out.len() == N {
                        return Err(de::Error::custom(format!("it has a list of more than {N} numbers where a tensor has {N} at most")));
                    }
                    out.push(x);
                }
                Ok(Numbers(out))
            }
        }
        d.deserialize_seq(V::<N>)
    }
}
