//! A trained GPT as a file: safetensors, the format PyTorch, JAX and candle
//! read: an 8-byte little-endian header length, a JSON header naming each
//! tensor's dtype, shape and byte range, then the raw little-endian data. The
//! header's `__metadata__` carries the config, the vocabulary and the settings
//! that made the model. Reading checks everything before anything is built: a
//! bad file gets a message and changes nothing.

use super::gpt::{Gpt, GptConfig, Positions};
use crate::event::ModelInfo;
use burn::module::Param;
use burn::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// What `__metadata__.format` says of our files.
pub const FORMAT: &str = "reasonlab-gpt-1";
/// The largest header we read: a GPT's is a few kilobytes, plus the record
/// of its training questions (about 2.7 bytes a question in base64: 200,000
/// questions take 540 kB).
const MAX_HEADER: usize = 4 << 20;

/// A model read from a file, checked, not yet on a device.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub config: GptConfig,
    /// The characters of the vocabulary, in id order.
    pub vocab: Vec<char>,
    /// The settings and metrics that made it, as the file has them.
    pub meta: BTreeMap<String, String>,
    /// Every tensor's values, in `tensor_shapes` order.
    pub values: Vec<Vec<f32>>,
}

/// The tensors of a GPT with this config: names and shapes, in file order
/// (documented in the README).
pub fn tensor_shapes(config: &GptConfig) -> Vec<(String, Vec<usize>)> {
    let (v, t, c) = (config.vocab_size, config.block_size, config.n_embd);
    let mut out = vec![("wte.weight".to_string(), vec![v, c])];
    if config.positions == Positions::Learned {
        out.push(("wpe.weight".into(), vec![t, c]));
    }
    for i in 0..config.n_layer {
        let p = |name: &str| format!("blocks.{i}.{name}");
        out.extend([
            (p("ln1.gamma"), vec![c]),
            (p("ln1.beta"), vec![c]),
            (p("attn.qkv.weight"), vec![c, 3 * c]),
            (p("attn.qkv.bias"), vec![3 * c]),
            (p("attn.proj.weight"), vec![c, c]),
            (p("attn.proj.bias"), vec![c]),
            (p("ln2.gamma"), vec![c]),
            (p("ln2.beta"), vec![c]),
            (p("mlp.c_fc.weight"), vec![c, 4 * c]),
            (p("mlp.c_fc.bias"), vec![4 * c]),
            (p("mlp.c_proj.weight"), vec![4 * c, c]),
            (p("mlp.c_proj.bias"), vec![c]),
        ]);
    }
    out.extend([("ln_f.gamma".into(), vec![c]), ("ln_f.beta".into(), vec![c]), ("head.weight".into(), vec![c, v])]);
    out
}

fn flat<const D: usize>(p: &Param<Tensor<D>>) -> Tensor<1> {
    p.val().reshape([-1])
}

fn opt<const D: usize>(p: &Option<Param<Tensor<D>>>) -> Tensor<1> {
    p.as_ref().map(flat).expect("the GPT's layers have biases")
}

/// Every parameter of the model flattened into one tensor, in
/// `tensor_shapes` order: one read from the device gives the whole file.
pub fn flat_parameters(model: &Gpt) -> Tensor<1> {
    let mut parts = vec![flat(&model.wte.weight)];
    if let Some(wpe) = &model.wpe {
        parts.push(flat(&wpe.weight));
    }
    for b in &model.blocks {
        parts.extend([
            flat(&b.ln1.gamma),
            opt(&b.ln1.beta),
            flat(&b.attn.qkv.weight),
            opt(&b.attn.qkv.bias),
            flat(&b.attn.proj.weight),
            opt(&b.attn.proj.bias),
            flat(&b.ln2.gamma),
            opt(&b.ln2.beta),
            flat(&b.mlp.c_fc.weight),
            opt(&b.mlp.c_fc.bias),
            flat(&b.mlp.c_proj.weight),
            opt(&b.mlp.c_proj.bias),
        ]);
    }
    parts.extend([flat(&model.ln_f.gamma), opt(&model.ln_f.beta), flat(&model.head.weight)]);
    Tensor::cat(parts, 0)
}

/// The file for a model whose parameters, read back, are `values` (from
/// `flat_parameters`).
pub fn encode(config: &GptConfig, vocab: &[char], meta: &BTreeMap<String, String>, values: &[f32]) -> Result<Vec<u8>, String> {
    let shapes = tensor_shapes(config);
    let total: usize = shapes.iter().map(|(_, s)| s.iter().product::<usize>()).sum();
    if values.len() != total {
        return Err(format!("the model has {} parameters, its config {total}", values.len()));
    }
    let mut header = Map::new();
    let mut metadata: Map<String, Value> = meta.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    metadata.insert("format".into(), json!(FORMAT));
    metadata.insert("config".into(), json!(serde_json::to_string(config).map_err(|e| e.to_string())?));
    metadata.insert("vocab".into(), json!(vocab.iter().collect::<String>()));
    header.insert("__metadata__".into(), Value::Object(metadata));
    let mut offset = 0;
    for (name, shape) in &shapes {
        let bytes = 4 * shape.iter().product::<usize>();
        header.insert(name.clone(), json!({"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + bytes]}));
        offset += bytes;
    }
    let mut text = serde_json::to_string(&Value::Object(header)).map_err(|e| e.to_string())?;
    // The data starts 8-byte aligned, as the format recommends.
    while (8 + text.len()) % 8 != 0 {
        text.push(' ');
    }
    let mut out = Vec::with_capacity(8 + text.len() + 4 * total);
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    Ok(out)
}

/// Reads and checks a file; says what is wrong with a bad one.
pub fn decode(bytes: &[u8]) -> Result<Checkpoint, String> {
    let not_ours = "this is not a ReasonLab model file (safetensors with a GPT's config)";
    let len = bytes.get(..8).ok_or_else(|| format!("the file is {} bytes long: {not_ours}", bytes.len()))?;
    let n = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    if n > MAX_HEADER as u64 || n as usize > bytes.len() - 8 {
        return Err(format!("the file is truncated or {not_ours}: its header says {n} bytes"));
    }
    let (head, data) = bytes[8..].split_at(n as usize);
    let header: Map<String, Value> = std::str::from_utf8(head).ok().and_then(|h| serde_json::from_str(h).ok()).ok_or(not_ours)?;
    let meta = header.get("__metadata__").and_then(Value::as_object).ok_or(not_ours)?;
    let text = |key: &str| meta.get(key).and_then(Value::as_str).ok_or_else(|| format!("the file's metadata has no {key}: {not_ours}"));
    if text("format")? != FORMAT {
        return Err(format!("the file's format is {}, not {FORMAT}", text("format")?.chars().take(40).collect::<String>()));
    }
    let config: GptConfig = serde_json::from_str(text("config")?).map_err(|e| format!("the file's config does not read: {e}"))?;
    check_config(&config)?;
    let vocab: Vec<char> = text("vocab")?.chars().collect();
    if vocab.len() != config.vocab_size {
        return Err(format!("the file's vocabulary has {} characters, its config {}", vocab.len(), config.vocab_size));
    }
    let shapes = tensor_shapes(&config);
    let names = header.keys().filter(|k| *k != "__metadata__").count();
    if names != shapes.len() {
        return Err(format!("the file has {names} tensors; a GPT of its config has {}", shapes.len()));
    }
    // The weights must be in the file: a stranger's header can point every
    // tensor at the same bytes, and a config at the limits would then read
    // gigabytes out of a small file. Checked before anything is read, in u64
    // (on wasm32 a usize product at the config's limits would wrap).
    let need = shapes.iter().map(|(_, s)| s.iter().map(|&d| d as u64).product::<u64>()).sum::<u64>().saturating_mul(4);
    if need > data.len() as u64 {
        return Err(format!("the file holds {} bytes of weights; a GPT of its config needs {need}: the file is truncated or damaged", data.len()));
    }
    let mut ranges = Vec::with_capacity(shapes.len());
    for (name, shape) in &shapes {
        let entry = header.get(name).and_then(Value::as_object).ok_or_else(|| format!("the file has no tensor {name}"))?;
        if entry.get("dtype").and_then(Value::as_str) != Some("F32") {
            return Err(format!("{name} is not F32"));
        }
        let got: Option<Vec<usize>> = entry.get("shape").and_then(Value::as_array).and_then(|a| a.iter().map(|d| d.as_u64().map(|d| d as usize)).collect());
        if got.as_ref() != Some(shape) {
            return Err(format!("{name} has shape {got:?}; the config wants {shape:?}"));
        }
        let range: Option<Vec<usize>> = entry.get("data_offsets").and_then(Value::as_array).and_then(|a| a.iter().map(|d| d.as_u64().map(|d| d as usize)).collect());
        let [start, end] = range.as_deref().and_then(|r| <[usize; 2]>::try_from(r).ok()).ok_or_else(|| format!("{name} has no byte range"))?;
        let want = 4 * shape.iter().product::<usize>();
        if end < start || end - start != want || end > data.len() {
            return Err(format!("{name}'s bytes {start}..{end} do not fit: the file is truncated or damaged"));
        }
        ranges.push((start, end, name));
    }
    // In the config's order for reading; sorted by offset to find an overlap.
    let mut sorted = ranges.clone();
    sorted.sort();
    if let Some(w) = sorted.windows(2).find(|w| w[1].0 < w[0].1) {
        return Err(format!("{} and {} share bytes: the file is damaged", w[0].2, w[1].2));
    }
    let mut values = Vec::with_capacity(shapes.len());
    for (start, end, name) in ranges {
        let v: Vec<f32> = data[start..end].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
        if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
            return Err(format!("{name} holds {bad}: the model diverged or the file is damaged"));
        }
        values.push(v);
    }
    let meta = meta.iter().filter(|(k, _)| !matches!(k.as_str(), "format" | "config" | "vocab")).filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect();
    Ok(Checkpoint { config, vocab, meta, values })
}

/// The file of a model on any device (its parameters read back in one go),
/// with the settings that made it (`setting.*`), its lab and its step, and
/// `extra` (metrics).
pub async fn save(model: &Gpt, config: &GptConfig, vocab: &[char], lab: &str, settings: &crate::settings::Params, step: usize, extra: &[(&str, String)]) -> Result<Vec<u8>, String> {
    let values = flat_parameters(model).into_data_async().await.map_err(|e| format!("{e:?}"))?;
    let values = values.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
    let mut meta: BTreeMap<String, String> = settings.0.iter().map(|(k, v)| (format!("setting.{k}"), v.clone())).collect();
    meta.insert("lab".into(), lab.into());
    meta.insert("step".into(), step.to_string());
    meta.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    encode(config, vocab, &meta, &values)
}

/// The first 16 hex digits of a file's SHA-256: how share links name a model.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A file's description for the page, after every check of `decode`.
pub fn info(bytes: &[u8]) -> Result<ModelInfo, String> {
    let ck = decode(bytes)?;
    let meta = |k: &str| ck.meta.get(k).cloned();
    let lab = meta("lab").unwrap_or_else(|| "gpt".into());
    let step = meta("step").and_then(|s| s.parse().ok()).unwrap_or(0);
    let total_steps = meta("setting.steps").and_then(|s| s.parse().ok()).unwrap_or(step);
    let c = &ck.config;
    // What it learned: a text (week 3), or a task and its difficulty (week 4).
    let what = meta("setting.corpus").or_else(|| Some(format!("{} {}", meta("setting.task")?, meta("setting.level")?))).unwrap_or_else(|| "text".into());
    let mut name = format!("{lab} · {what} · {} × {} · step {step}", c.n_layer, c.n_embd);
    if let Some(v) = meta("val_loss").and_then(|v| v.parse::<f64>().ok()) {
        name += &format!(" · val {v:.3}");
    }
    if let Some(a) = meta("accuracy").and_then(|v| v.parse::<f64>().ok()) {
        name += &format!(" · accuracy {a:.3}");
    }
    // The record of its training questions is shown by its size, not its bytes.
    let mut shown = ck.meta.clone();
    if let Some(seen) = crate::data::reasoning::Seen::from_meta(&ck.meta) {
        shown.insert(crate::data::reasoning::seen::META.into(), seen.map_or_else(|e| e, |s| format!("{} questions (hashed; a test set leaves them out)", s.len())));
    }
    let config = json!({"format": FORMAT, "config": c, "vocab": ck.vocab.iter().collect::<String>(), "tensors": tensor_shapes(c), "metadata": shown});
    let config = serde_json::to_string_pretty(&config).map_err(|e| e.to_string())?;
    Ok(ModelInfo { hash: content_hash(bytes), name, lab, step, total_steps, config })
}

/// A config this code can build, within the sizes the labs offer.
fn check_config(c: &GptConfig) -> Result<(), String> {
    let ok = (1..=4096).contains(&c.vocab_size) && (1..=1024).contains(&c.block_size) && (1..=48).contains(&c.n_layer) && (1..=64).contains(&c.n_head) && (1..=2048).contains(&c.n_embd) && c.n_embd % c.n_head == 0;
    if !ok {
        return Err(format!("the file's config is out of range: {} layers, {} heads, width {}, context {}, {} characters", c.n_layer, c.n_head, c.n_embd, c.block_size, c.vocab_size));
    }
    // RoPE turns a head's dimensions in pairs: an odd head size passes every
    // other check and then fails inside burn when a lab builds the model.
    if c.positions == crate::models::gpt::Positions::Rope && (c.n_embd / c.n_head) % 2 == 1 {
        return Err(format!("the file's config has RoPE with heads of {} dimensions; RoPE needs an even number", c.n_embd / c.n_head));
    }
    Ok(())
}

/// Hands out a file's tensors in order, as parameters of the rank asked for.
struct Tensors<'a> {
    data: std::vec::IntoIter<TensorData>,
    device: &'a Device,
}

impl Tensors<'_> {
    fn next<const D: usize>(&mut self) -> Param<Tensor<D>> {
        Param::from_tensor(Tensor::from_data(self.data.next().expect("checked by decode"), self.device))
    }
}

impl Checkpoint {
    /// The model on a device, its parameters from the file (in
    /// `tensor_shapes` order, as `flat_parameters` wrote them).
    pub fn to_model(&self, device: &Device) -> Gpt {
        let mut model = self.config.init(device);
        let data: Vec<TensorData> = tensor_shapes(&self.config).into_iter().zip(&self.values).map(|((_, shape), v)| TensorData::new(v.clone(), shape)).collect();
        let mut t = Tensors { data: data.into_iter(), device };
        model.wte.weight = t.next();
        if let Some(wpe) = model.wpe.as_mut() {
            wpe.weight = t.next();
        }
        for b in &mut model.blocks {
            b.ln1.gamma = t.next();
            b.ln1.beta = Some(t.next());
            b.attn.qkv.weight = t.next();
            b.attn.qkv.bias = Some(t.next());
            b.attn.proj.weight = t.next();
            b.attn.proj.bias = Some(t.next());
            b.ln2.gamma = t.next();
            b.ln2.beta = Some(t.next());
            b.mlp.c_fc.weight = t.next();
            b.mlp.c_fc.bias = Some(t.next());
            b.mlp.c_proj.weight = t.next();
            b.mlp.c_proj.bias = Some(t.next());
        }
        model.ln_f.gamma = t.next();
        model.ln_f.beta = Some(t.next());
        model.head.weight = t.next();
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn saved(config: &GptConfig) -> (Gpt, Vec<u8>) {
        let device = crate::backend::cpu();
        let model = config.init(&device);
        let values = flat_parameters(&model).into_data().try_to_vec::<f32>().unwrap();
        let vocab: Vec<char> = (0..config.vocab_size as u32).map(|i| char::from_u32(b'a' as u32 + i).unwrap()).collect();
        let meta = BTreeMap::from([("lab".to_string(), "gpt".to_string())]);
        (model, encode(config, &vocab, &meta, &values).unwrap())
    }

    #[test]
    fn save_then_load_is_bit_exact() {
        let device = crate::backend::cpu();
        for positions in [Positions::Learned, Positions::Rope] {
            let config = GptConfig::new(11, 8, 2, 2, 16).with_positions(positions).with_seed(4);
            let (model, bytes) = saved(&config);
            let ck = decode(&bytes).unwrap();
            assert_eq!(ck.meta.get("lab").map(String::as_str), Some("gpt"));
            assert_eq!(ck.vocab.len(), 11);
            let back = ck.to_model(&device);
            let a = flat_parameters(&model).into_data().try_to_vec::<f32>().unwrap();
            let b = flat_parameters(&back).into_data().try_to_vec::<f32>().unwrap();
            assert_eq!(a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), b.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            let idx = Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 2, 3, 4], [1, 4]), &device);
            let (la, lb) = (model.logits(idx.clone()).into_data(), back.logits(idx).into_data());
            assert_eq!(la, lb, "{positions:?}: the same logits");
        }
    }

    #[test]
    fn a_file_is_named_by_its_content_and_described_from_its_metadata() {
        let config = GptConfig::new(11, 8, 2, 2, 16).with_seed(4);
        let (_, bytes) = saved(&config);
        let info = info(&bytes).unwrap();
        assert_eq!(info.hash.len(), 16);
        assert!(info.hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(info.hash, content_hash(&bytes), "the same bytes, the same name");
        assert_eq!(info.name, "gpt · text · 2 × 16 · step 0");
        let config_json: serde_json::Value = serde_json::from_str(&info.config).unwrap();
        assert_eq!(config_json["config"]["n_embd"], 16);
        assert_eq!(config_json["tensors"][0][0], "wte.weight");
        let mut other = bytes.clone();
        *other.last_mut().unwrap() ^= 1;
        assert_ne!(content_hash(&other), info.hash, "one flipped bit, another name");
        assert!(super::info(&bytes[..100]).is_err());
    }

    /// Truncations, flipped bytes and rewritten headers: each gets a message
    /// or (a flipped weight byte that stays finite) a model, never a panic.
    #[test]
    fn a_thousand_damaged_files_never_panic() {
        let config = GptConfig::new(7, 4, 1, 1, 4).with_seed(1);
        let (_, good) = saved(&config);
        let mut rng = Rng::new(9);
        let mut rejected = 0;
        for k in 0..1200 {
            let mut bytes = good.clone();
            match k % 4 {
                0 => bytes.truncate(rng.below(good.len() as u64) as usize),
                1 => {
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(bytes.len() as u64) as usize;
                        bytes[at] ^= 1 << rng.below(8);
                    }
                }
                2 => {
                    // The header's length field, or a byte of the header itself.
                    let at = rng.below(8 + u64::from_le_bytes(good[..8].try_into().unwrap())) as usize;
                    bytes[at] = rng.below(256) as u8;
                }
                _ => bytes = (0..rng.below(64)).map(|_| rng.below(256) as u8).collect(),
            }
            let result = std::panic::catch_unwind(|| decode(&bytes).map(|ck| ck.to_model(&crate::backend::cpu())));
            let result = result.unwrap_or_else(|_| panic!("case {k} panicked"));
            if let Err(why) = result {
                assert!(!why.is_empty());
                rejected += 1;
            }
        }
        assert!(rejected > 600, "most damage is caught: {rejected} of 1200");
    }

    #[test]
    fn other_architectures_and_nan_weights_get_messages() {
        let config = GptConfig::new(7, 4, 1, 1, 4).with_seed(1);
        let device = crate::backend::cpu();
        let values = flat_parameters(&config.init(&device)).into_data().try_to_vec::<f32>().unwrap();
        let vocab: Vec<char> = "abcdefg".chars().collect();
        let mut nan = values.clone();
        nan[3] = f32::NAN;
        let bad = decode(&encode(&config, &vocab, &BTreeMap::new(), &nan).unwrap()).unwrap_err();
        assert!(bad.contains("wte.weight holds NaN"), "{bad}");
        // A file whose config promises two layers but holds one layer's tensors.
        let good = encode(&config, &vocab, &BTreeMap::new(), &values).unwrap();
        let n = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
        let head = std::str::from_utf8(&good[8..8 + n]).unwrap();
        assert!(head.contains(r#"\"n_layer\":1"#), "{head}");
        let head = head.replace(r#"\"n_layer\":1"#, r#"\"n_layer\":2"#);
        let mut swapped = good[..8].to_vec();
        swapped.extend_from_slice(head.as_bytes());
        swapped.extend_from_slice(&good[8 + n..]);
        let err = decode(&swapped).unwrap_err();
        assert!(err.contains("tensors; a GPT of its config has"), "{err}");
        assert!(decode(b"PK\x03\x04 a zip file").unwrap_err().contains("not a ReasonLab model file"));
        // Every tensor from byte 0: refused (their bytes overlap); cut to the
        // first tensor's bytes: refused before anything is read.
        let mut head: Map<String, Value> = serde_json::from_str(std::str::from_utf8(&good[8..8 + n]).unwrap()).unwrap();
        let first = head.iter().find(|(k, _)| *k != "__metadata__").map(|(_, v)| v["data_offsets"].clone()).unwrap();
        let end = first[1].as_u64().unwrap() as usize;
        for (_, v) in head.iter_mut().filter(|(k, _)| *k != "__metadata__") {
            let size = 4 * v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).product::<usize>();
            v["data_offsets"] = serde_json::json!([0, size]);
        }
        let text = serde_json::to_string(&head).unwrap();
        let mut overlapping = (text.len() as u64).to_le_bytes().to_vec();
        overlapping.extend_from_slice(text.as_bytes());
        overlapping.extend_from_slice(&good[8 + n..]);
        let err = decode(&overlapping).unwrap_err();
        assert!(err.contains("share bytes"), "{err}");
        let mut short = (text.len() as u64).to_le_bytes().to_vec();
        short.extend_from_slice(text.as_bytes());
        short.extend_from_slice(&good[8 + n..8 + n + end]);
        assert!(decode(&short).unwrap_err().contains("bytes of weights; a GPT of its config needs"));
        // RoPE with heads of 3 dimensions: refused when read, not a panic when built.
        let odd = GptConfig::new(7, 4, 1, 2, 6).with_positions(crate::models::gpt::Positions::Rope);
        assert!(check_config(&odd).unwrap_err().contains("RoPE needs an even number"));
        assert!(check_config(&GptConfig::new(7, 4, 1, 2, 8).with_positions(crate::models::gpt::Positions::Rope)).is_ok());
        assert!(decode(&good[..good.len() - 1]).unwrap_err().contains("truncated"));
    }
}
