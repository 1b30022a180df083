//! The hostile model files of `hostile_models.rs`, made one at a time from
//! a seed: every family of damage, each case with what it must come to.

use reasonlab::models::checkpoint::{self, HEADS, MAX_CONTEXT, MAX_LAYERS, MAX_VOCAB, WIDTHS};
use reasonlab::models::gpt::{GptConfig, Norm, Positions};
use reasonlab::rng::Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What a case must come to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expect {
    Loads,
    /// Refused, with a message containing this.
    Refused(&'static str),
    Either,
}

pub struct Case {
    pub what: String,
    pub bytes: Vec<u8>,
    pub expect: Expect,
    /// Weights of an ordinary size: the model's logits must be finite too.
    pub sane: bool,
}

/// Characters a vocabulary draws from: ASCII (control characters and
/// quotes, which JSON escapes, among them) and a few past it.
const POOL: &str = "\0\n\t\"\\ !#09:;=ABCXYZabcxyz~\u{7f}éß€中🙂";

fn vocab_of(n: usize, rng: &mut Rng) -> Vec<char> {
    let mut pool: Vec<char> = POOL.chars().collect();
    let mut out = Vec::new();
    while out.len() < n {
        out.push(pool.remove(rng.below(pool.len() as u64) as usize));
    }
    out.sort();
    out
}

/// A config the labs keep (`offered`: the smaller of their sizes, every
/// kind of positions they keep), or one of every option that they do not:
/// tiny, odd and even heads, sinusoidal positions, post-LN, no residual, no
/// mask.
fn config(rng: &mut Rng, offered: bool) -> GptConfig {
    let layers = 1 + (rng.below(8) == 0) as usize;
    let seed = rng.next_u64();
    if offered {
        let positions = [Positions::Learned, Positions::Rope, Positions::None][rng.below(3) as usize];
        let (heads, width) = (HEADS[rng.below(4) as usize], WIDTHS[rng.below(2) as usize]);
        return GptConfig::new(2 + rng.below(10) as usize, 8 + rng.below(13) as usize, layers, heads, width).with_positions(positions).with_seed(seed);
    }
    let heads = 1 + rng.below(4) as usize;
    let head_size = 1 + rng.below(4) as usize; // odd and even
    let positions = [Positions::Learned, Positions::Rope, Positions::None, Positions::Sinusoidal][rng.below(4) as usize];
    let rare = |rng: &mut Rng| rng.below(4) == 0;
    GptConfig::new(1 + rng.below(11) as usize, 1 + rng.below(12) as usize, layers, heads, heads * head_size)
        .with_positions(positions)
        .with_norm(if rare(rng) { Norm::Post } else { Norm::Pre })
        .with_residual(!rare(rng))
        .with_causal(!rare(rng))
        .with_seed(seed)
}

fn offered(c: &GptConfig) -> bool {
    checkpoint::check_config(c).is_ok()
}

/// Metadata a lab writes, and sometimes what a stranger writes in its place.
fn meta(rng: &mut Rng) -> BTreeMap<String, String> {
    let mut m = BTreeMap::from([("lab".to_string(), ["gpt", "cot", "tools", "ppo"][rng.below(4) as usize].to_string()), ("step".into(), rng.below(5000).to_string())]);
    m.insert("setting.task".into(), "add".into());
    m.insert("setting.level".into(), "2".into());
    match rng.below(9) {
        0 => m.insert("curve.train_loss".into(), "1:2.3,2:NaN,x:1,::,4:inf,5:-1e39,".into()),
        1 => m.insert("trained_on".into(), ["rice1:0:99999999:AAAA", "rice1:31:3:////", "rice1:2:4:", "rice2", ""][rng.below(5) as usize].into()),
        // As dense as a record gets: a question every other bit (12 in "qqqq").
        2 => {
            let r = 1 + rng.below(20_000) as usize;
            m.insert("trained_on".into(), format!("rice1:0:{}:{}", 12 * r, "qqqq".repeat(r)))
        }
        3 => m.insert("val_loss".into(), ["NaN", "inf", "-0", "1e400", "2.5"][rng.below(5) as usize].into()),
        4 => m.insert("step".into(), ["-1", "18446744073709551616", "1e9", ""][rng.below(4) as usize].into()),
        5 => m.insert("lab".into(), "x".repeat(1 + rng.below(5000) as usize)),
        6 => m.insert("setting.corpus".into(), "\u{0}\u{1}\"\\\n🙂".repeat(1 + rng.below(200) as usize)),
        _ => m.insert("curve.val_loss".into(), (0..rng.below(300)).map(|i| format!("{i}:{}", rng.uniform())).collect::<Vec<_>>().join(",")),
    };
    m
}

/// A whole file from a config: weights of an ordinary size.
fn file(config: &GptConfig, rng: &mut Rng) -> Vec<u8> {
    let total: usize = checkpoint::tensor_shapes(config).iter().map(|(_, s)| s.iter().product::<usize>()).sum();
    checkpoint::encode(config, &vocab_of(config.vocab_size, rng), &meta(rng), &rng.normal_vec(total, 0.5)).unwrap()
}

/// A file's header as JSON, and its weights.
fn split(bytes: &[u8]) -> (Value, Vec<u8>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    (serde_json::from_slice(&bytes[8..8 + n]).unwrap(), bytes[8 + n..].to_vec())
}

fn join(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// The tensors' names in file order, from a header's config.
fn names(h: &Value) -> Vec<String> {
    let config: GptConfig = serde_json::from_str(h["__metadata__"]["config"].as_str().unwrap()).unwrap();
    checkpoint::tensor_shapes(&config).into_iter().map(|(n, _)| n).collect()
}

fn size(h: &Value, name: &str) -> u64 {
    let r = &h[name]["data_offsets"];
    r[1].as_u64().unwrap() - r[0].as_u64().unwrap()
}

/// The same file with its config rewritten.
fn reconfigured(bytes: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (mut h, data) = split(bytes);
    let mut c: Value = serde_json::from_str(h["__metadata__"]["config"].as_str().unwrap()).unwrap();
    edit(&mut c);
    h["__metadata__"]["config"] = json!(c.to_string());
    join(&h.to_string(), &data)
}

/// Extra metadata entries, as raw JSON, in front of the others.
fn with_entries(bytes: &[u8], raw: &str) -> Vec<u8> {
    let (h, data) = split(bytes);
    let text = h.to_string().replacen("{\"__metadata__\":{", &format!("{{\"__metadata__\":{{{raw},"), 1);
    join(&text, &data)
}

/// Case `k` of the corpus: a family by `k`, its details from the seed.
pub fn case(k: usize, rng: &mut Rng) -> Case {
    let c = config(rng, k % 3 != 0);
    let good = file(&c, rng);
    let ok = if offered(&c) { Expect::Loads } else { Expect::Refused("the file's config") };
    let ok = if c.positions == Positions::Rope && (c.n_embd / c.n_head) % 2 == 1 { Expect::Refused("RoPE needs an even number") } else { ok };
    let make = |what: String, bytes: Vec<u8>, expect: Expect| Case { what, bytes, expect: if offered(&c) { expect } else { ok.unoffered(expect) }, sane: true };
    let (mut h, data) = split(&good);
    let order = names(&h);
    let pick = rng.below(order.len() as u64) as usize;
    let name = order[pick].clone();
    match k % 20 {
        0..=4 => make(format!("{c:?}"), good, Expect::Loads),
        5 => {
            // Sizes at and past the limits, and nonsense ones, claimed without the weights.
            let (field, values): (&str, &[u64]) = match rng.below(5) {
                0 => ("n_layer", &[0, MAX_LAYERS as u64, MAX_LAYERS as u64 + 1, 1 << 31, 1 << 53, u64::MAX]),
                1 => ("n_head", &[0, 3, 8, 16, u64::MAX]),
                2 => ("n_embd", &[0, 256, 257, 264, 1 << 40]),
                3 => ("block_size", &[0, MAX_CONTEXT as u64, MAX_CONTEXT as u64 + 1, 1 << 32]),
                _ => ("vocab_size", &[0, MAX_VOCAB as u64, MAX_VOCAB as u64 + 1, u64::MAX]),
            };
            let v = values[rng.below(values.len() as u64) as usize];
            let max = [MAX_LAYERS, HEADS[3], WIDTHS[6], MAX_CONTEXT, MAX_VOCAB][["n_layer", "n_head", "n_embd", "block_size", "vocab_size"].iter().position(|f| *f == field).unwrap()] as u64;
            // Within the limits a claim can still fit the weights (heads and
            // context, where nothing depends on them): then the file loads.
            let expect = if v == 0 || v > max { Expect::Refused("the labs keep models of 1 to") } else { Expect::Either };
            let bytes = reconfigured(&good, |c| c[field] = json!(v));
            make(format!("{field} = {v}"), bytes, expect)
        }
        6 => {
            // Config fields of the wrong kind, or past what serde reads.
            let (field, v) = [("positions", json!("sideways")), ("norm", json!("mid")), ("residual", json!("yes")), ("causal", json!(1)), ("n_layer", json!(-1)), ("n_embd", json!(2.5)), ("seed", json!(-1)), ("n_head", json!(null)), ("vocab_size", json!("7"))][rng.below(9) as usize].clone();
            let bytes = reconfigured(&good, |c| c[field] = v.clone());
            make(format!("config {field} = {v}"), bytes, Expect::Refused("config does not read"))
        }
        7 => {
            // Overlapping: one tensor's bytes moved 4 into the one before.
            let i = 1 + rng.below(order.len() as u64 - 1) as usize;
            let r = h[&order[i]]["data_offsets"].clone();
            h[&order[i]]["data_offsets"] = json!([r[0].as_u64().unwrap() - 4, r[1].as_u64().unwrap() - 4]);
            make(format!("{} overlaps", order[i]), join(&h.to_string(), &data), Expect::Refused("share bytes"))
        }
        8 => {
            let r = h[&name]["data_offsets"].clone();
            h[&name]["data_offsets"] = json!([r[1], r[0]]);
            make(format!("{name} reversed"), join(&h.to_string(), &data), Expect::Refused("do not fit"))
        }
        9 => {
            // Aliased: every tensor from byte 0, and the data cut to the largest.
            let largest = order.iter().map(|n| size(&h, n)).max().unwrap();
            for n in &order {
                h[n]["data_offsets"] = json!([0, size(&h, n)]);
            }
            let cut = if rng.below(2) == 0 { data.len() } else { largest as usize };
            make(format!("aliased, {cut} bytes"), join(&h.to_string(), &data[..cut]), Expect::Refused(if cut == data.len() { "share bytes" } else { "bytes of weights" }))
        }
        10 => {
            // Out of order: the same tiling, the config's order reversed.
            let mut at = 0;
            for n in order.iter().rev() {
                let s = size(&h, n);
                h[n]["data_offsets"] = json!([at, at + s]);
                at += s;
            }
            make("out of order".into(), join(&h.to_string(), &data), Expect::Refused("lies before"))
        }
        11 => {
            let s = size(&h, &name);
            let (r, why) = [(json!([u64::MAX - s, u64::MAX]), "do not fit"), (json!([1u64 << 53, (1u64 << 53) + s]), "do not fit"), (json!([0, u64::MAX]), "do not fit"), (json!([data.len(), data.len() as u64 + s]), "do not fit"), (json!([1e20, 2e20]), "does not read"), (json!([-4, 0]), "does not read"), (json!([0, 4, 8]), "does not read"), (json!([0]), "no byte range"), (json!("0..4"), "does not read")][rng.below(9) as usize].clone();
            h[&name]["data_offsets"] = r.clone();
            make(format!("{name} at {r}"), join(&h.to_string(), &data), Expect::Refused(why))
        }
        12 => {
            let entry = &mut h[&name];
            let shape = entry["shape"].clone();
            let (field, v, why) = [("shape", json!([shape[0], 1, 1]), "has shape"), ("shape", json!([1, 1, 1, 1, 1]), "does not read"), ("shape", json!([]), "has shape"), ("shape", json!([1u64 << 40, 1u64 << 40]), "has shape"), ("shape", json!([u64::MAX]), "has shape"), ("dtype", json!("F16"), "not F32"), ("dtype", json!("f32"), "not F32"), ("dtype", json!(null), "not F32"), ("dtype", json!({"F32": 1}), "not F32")][rng.below(9) as usize].clone();
            entry[field] = v.clone();
            make(format!("{name} {field} {v}"), join(&h.to_string(), &data), Expect::Refused(why))
        }
        13 => {
            let at = rng.below(good.len() as u64) as usize;
            make(format!("truncated at {at}"), good[..at].to_vec(), Expect::Refused(""))
        }
        14 => {
            // The header's length lies.
            let n = u64::from_le_bytes(good[..8].try_into().unwrap());
            let lie = [0, 1, n - 1, n + 1, n + 8, good.len() as u64, u64::MAX, 4 << 20 | 1][rng.below(8) as usize];
            let mut bytes = good.clone();
            bytes[..8].copy_from_slice(&lie.to_le_bytes());
            make(format!("header length {lie} for {n}"), bytes, Expect::Refused(""))
        }
        15 => {
            // Metadata a stranger wrote: most is skipped, what passes a limit refused.
            let deep = |d: usize| "[".repeat(d) + &"]".repeat(d);
            let (raw, expect) = match rng.below(14) {
                0 => ("\"n\":1,\"f\":2.5,\"b\":true,\"z\":null,\"neg\":-7".to_string(), Expect::Loads),
                1 => ("\"o\":{\"a\":{\"b\":[1,{\"c\":\"d\"}]}},\"e\":[]".into(), Expect::Loads),
                2 => (format!("\"deep\":{}", deep(100)), Expect::Loads),
                3 => (format!("\"deeper\":{}", deep(200 + rng.below(5000) as usize)), Expect::Loads),
                4 => ("\"\":\"\",\"🙂\":\"\\u0000\",\"\\n\":\"\\\"\"".into(), Expect::Loads),
                5 => ((0..300).map(|i| format!("\"k{i}\":\"\"")).collect::<Vec<_>>().join(","), Expect::Refused("more than 256 metadata entries")),
                6 => (format!("\"{}\":\"\"", "k".repeat(200)), Expect::Refused("a name of 200 bytes")),
                7 => ("\"lab\":\"twice\"".into(), Expect::Refused("twice")),
                8 => (format!("\"long\":\"{}\\n\"", "x".repeat(40 << 10)), Expect::Refused("escaped string")),
                9 => (format!("\"long\":\"{}\"", "x".repeat(1 + rng.below(300_000) as usize)), Expect::Loads),
                10 => (format!("\"many\":[{}]", vec!["0"; 1 + rng.below(200_000) as usize].join(",")), Expect::Loads),
                11 => ("\"format\":7".into(), Expect::Refused("twice")),
                12 => (format!("\"k\":\"{}\"", "\\u00e9".repeat(1 + rng.below(5000) as usize)), Expect::Loads),
                _ => (format!("\"escaped\":\"{}\"", "\\\"".repeat(1 + rng.below(16_000) as usize)), Expect::Loads),
            };
            let bytes = with_entries(&good, &raw);
            make(format!("metadata {}", raw.chars().take(60).collect::<String>()), bytes, expect)
        }
        16 => {
            // No metadata, or the wrong kind, or not JSON, or not UTF-8.
            let text = h.to_string();
            let (bytes, why) = match rng.below(8) {
                0 => (join(&text.replacen("\"__metadata__\"", "\"__metadata\"", 1), &data), "no __metadata__"),
                1 => {
                    h["__metadata__"] = json!({});
                    (join(&h.to_string(), &data), "has no format")
                }
                2 => {
                    h["__metadata__"] = json!(["format"]);
                    (join(&h.to_string(), &data), "does not read")
                }
                3 => {
                    h["__metadata__"]["format"] = json!("reasonlab-gpt-2");
                    (join(&h.to_string(), &data), "format is")
                }
                4 => {
                    h["__metadata__"]["config"] = json!(7);
                    (join(&h.to_string(), &data), "has no config")
                }
                5 => {
                    let mut raw = text.into_bytes();
                    let at = 1 + rng.below(raw.len() as u64 - 2) as usize;
                    raw[at] = 0xFF;
                    let n = raw.len() as u64;
                    let mut bytes = n.to_le_bytes().to_vec();
                    bytes.extend(raw);
                    bytes.extend(&data);
                    (bytes, "not UTF-8")
                }
                6 => (join("[]", &data), "does not read"),
                _ => (join(&format!("{text} {text}"), &data), "does not read"),
            };
            make(format!("header {why}"), bytes, Expect::Refused(why))
        }
        17 => {
            // Vocabularies that do not match, are empty, or are out of order.
            let vocab = h["__metadata__"]["vocab"].as_str().unwrap().to_string();
            let (v, why) = match rng.below(5) {
                0 => (String::new(), "vocabulary has"),
                1 => (vocab.chars().rev().collect(), "not sorted"),
                2 => (vocab.chars().take(1).chain(vocab.chars().take(vocab.chars().count() - 1)).collect(), "not sorted"),
                3 => (vocab.clone() + "\u{10FFFF}", "vocabulary has"),
                _ => ("\u{FFFD}".repeat(20 + rng.below(100_000) as usize), "vocabulary has"),
            };
            h["__metadata__"]["vocab"] = json!(v);
            make(format!("vocabulary {}", v.chars().take(20).collect::<String>()), join(&h.to_string(), &data), Expect::Refused(why))
        }
        18 => {
            // Weights: NaN or infinite (refused), huge or tiny (kept: finite).
            let mut data = data;
            let at = 4 * rng.below(data.len() as u64 / 4) as usize;
            let (v, expect) = [(f32::NAN, Expect::Refused("holds NaN")), (f32::INFINITY, Expect::Refused("holds inf")), (f32::NEG_INFINITY, Expect::Refused("holds -inf")), (f32::MAX, Expect::Loads), (f32::MIN_POSITIVE / 8.0, Expect::Loads)][rng.below(5) as usize];
            data[at..at + 4].copy_from_slice(&v.to_le_bytes());
            let mut c = make(format!("weight {v}"), join(&h.to_string(), &data), expect);
            c.sane = v.abs() < 1.0;
            c
        }
        _ => {
            // Tensors missing, extra, renamed, or many; weights short or long;
            // flipped bits anywhere; random bytes.
            let (bytes, why) = match rng.below(8) {
                0 => {
                    h.as_object_mut().unwrap().remove(&name);
                    (join(&h.to_string(), &data), "tensors")
                }
                1 => {
                    h["extra.weight"] = json!({"dtype": "F32", "shape": [1], "data_offsets": [0, 4]});
                    (join(&h.to_string(), &data), "tensors")
                }
                2 => {
                    let entry = h.as_object_mut().unwrap().remove(&name).unwrap();
                    h[format!("{name}_")] = entry;
                    (join(&h.to_string(), &data), "has no tensor")
                }
                3 => {
                    for i in 0..200 {
                        h[format!("t{i}")] = json!({});
                    }
                    (join(&h.to_string(), &data), "more than 149 tensors")
                }
                4 => {
                    let mut data = data;
                    data.extend(std::iter::repeat_n(0, 4 * (1 + rng.below(100) as usize)));
                    (join(&h.to_string(), &data), "bytes of weights")
                }
                5 => (join(&h.to_string(), &data[..data.len() - 4 * (1 + rng.below(data.len() as u64 / 4 - 1)) as usize]), "bytes of weights"),
                6 => {
                    let mut bytes = good.clone();
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(bytes.len() as u64) as usize;
                        bytes[at] ^= 1 << rng.below(8);
                    }
                    let c = Case { what: "flipped bits".into(), bytes, expect: Expect::Either, sane: false };
                    return c;
                }
                _ => ((0..rng.below(256)).map(|_| rng.below(256) as u8).collect(), ""),
            };
            make(format!("tensors: {why}"), bytes, Expect::Refused(why))
        }
    }
}

impl Expect {
    /// What a case comes to from a config the labs do not keep: the config's
    /// refusal, unless the case is refused before its config is read.
    fn unoffered(self, mutated: Expect) -> Expect {
        match mutated {
            Expect::Loads => self,
            _ => Expect::Either,
        }
    }
}
