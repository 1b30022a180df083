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

mod header;
mod limits;

pub use limits::{check_config, HEADS, MAX_CONTEXT, MAX_LAYERS, MAX_VOCAB, WIDTHS};
use limits::tensor_count;

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

/// What a file that is not ours is told.
const NOT_OURS: &str = "this is not a ReasonLab model file (safetensors with a GPT's config)";

/// Reads and checks a file; says what is wrong with a bad one. Nothing is
/// allocated past about the file's size: the header is read within its
/// limits (`header`), the config within the labs' before any tensor is
/// looked at, and the weights only once the file is known to hold them.
pub fn decode(bytes: &[u8]) -> Result<Checkpoint, String> {
    let len = bytes.get(..8).ok_or_else(|| format!("the file is {} bytes long: {NOT_OURS}", bytes.len()))?;
    let n = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    if n > MAX_HEADER as u64 || n > (bytes.len() - 8) as u64 {
        return Err(format!("the file is truncated or {NOT_OURS}: its header says {n} bytes"));
    }
    let (head, data) = bytes[8..].split_at(n as usize);
    let head = std::str::from_utf8(head).map_err(|e| format!("the file's header is not UTF-8 (at byte {}): {NOT_OURS}", e.valid_up_to()))?;
    let header = header::read(head, tensor_count(MAX_LAYERS)).map_err(|e| format!("the file's header does not read ({e}): {NOT_OURS}"))?;
    let mut meta = header.meta.ok_or_else(|| format!("the file's header has no __metadata__: {NOT_OURS}"))?;
    let mut take = |key: &str| meta.remove(key).ok_or_else(|| format!("the file's metadata has no {key}: {NOT_OURS}"));
    let format = take("format")?;
    if format != FORMAT {
        return Err(format!("the file's format is {}, not {FORMAT}", clip(&format)));
    }
    let config: GptConfig = serde_json::from_str(&take("config")?).map_err(|e| format!("the file's config does not read: {e}"))?;
    check_config(&config)?;
    // Counted before it is collected: a character takes four bytes in a
    // Vec<char>, four times what a long string of ASCII takes in the file.
    let vocab = take("vocab")?;
    if vocab.chars().count() != config.vocab_size {
        return Err(format!("the file's vocabulary has {} characters, its config {}", vocab.chars().count(), config.vocab_size));
    }
    let vocab: Vec<char> = vocab.chars().collect();
    // The labs' vocabularies are sorted and distinct: characters are found by binary search.
    if vocab.windows(2).any(|w| w[0] >= w[1]) {
        return Err("the file's vocabulary is not sorted, or repeats a character".into());
    }
    let shapes = tensor_shapes(&config);
    if header.tensors.len() != shapes.len() {
        return Err(format!("the file has {} tensors; a GPT of its config has {}", header.tensors.len(), shapes.len()));
    }
    // The weights must be in the file, and be all of it, before any is read:
    // a stranger's header can point every tensor at the same bytes. In u64:
    // on wasm32 a usize product at a hostile shape would wrap.
    let need = shapes.iter().map(|(_, s)| s.iter().map(|&d| d as u64).product::<u64>()).sum::<u64>().saturating_mul(4);
    if need != data.len() as u64 {
        return Err(format!("the file holds {} bytes of weights; a GPT of its config needs {need}: the file is truncated or damaged", data.len()));
    }
    let mut ranges = Vec::with_capacity(shapes.len());
    for (name, shape) in &shapes {
        let entry = header.tensors.get(name).ok_or_else(|| format!("the file has no tensor {name}"))?;
        if !entry.f32 {
            return Err(format!("{name} is not F32"));
        }
        let want: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
        if entry.shape.as_ref() != Some(&want) {
            return Err(format!("{name} has shape {:?}; the config wants {shape:?}", entry.shape));
        }
        let Some(&[start, end]) = entry.offsets.as_deref() else { return Err(format!("{name} has no byte range")) };
        if end < start || end - start != 4 * want.iter().product::<u64>() || end > data.len() as u64 {
            return Err(format!("{name}'s bytes {start}..{end} do not fit: the file is truncated or damaged"));
        }
        ranges.push((start as usize, end as usize, name));
    }
    // Disjoint ranges whose sizes add up to the data tile it, with no hole;
    // in the config's order they are what `encode` writes, and nothing else is.
    let mut sorted = ranges.clone();
    sorted.sort();
    if let Some(w) = sorted.windows(2).find(|w| w[1].0 < w[0].1) {
        return Err(format!("{} and {} share bytes: the file is damaged", w[0].2, w[1].2));
    }
    if let Some(w) = ranges.windows(2).find(|w| w[1].0 < w[0].1) {
        return Err(format!("{} lies before {} in the file: not the order a GPT's tensors are written in", w[1].2, w[0].2));
    }
    let mut values = Vec::with_capacity(shapes.len());
    for (start, end, name) in ranges {
        let v: Vec<f32> = data[start..end].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes"))).collect();
        if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
            return Err(format!("{name} holds {bad}: the model diverged or the file is damaged"));
        }
        values.push(v);
    }
    Ok(Checkpoint { config, vocab, meta, values })
}

/// At most 40 characters of a stranger's text, for a message or a name.
fn clip(text: &str) -> String {
    text.chars().take(40).collect()
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
    let mut ck = decode(bytes)?;
    // The description needs no weight: they are freed before it is written.
    ck.values = Vec::new();
    let Checkpoint { config: c, vocab, meta, .. } = &ck;
    let text = |k: &str| meta.get(k).map(|v| clip(v));
    let lab = text("lab").unwrap_or_else(|| "gpt".into());
    let step = meta.get("step").and_then(|s| s.parse().ok()).unwrap_or(0);
    let total_steps = meta.get("setting.steps").and_then(|s| s.parse().ok()).unwrap_or(step);
    // What it learned: a text (week 3), or a task and its difficulty (week 4).
    let what = text("setting.corpus").or_else(|| Some(format!("{} {}", text("setting.task")?, text("setting.level")?))).unwrap_or_else(|| "text".into());
    let mut name = format!("{lab} · {what} · {} × {} · step {step}", c.n_layer, c.n_embd);
    if let Some(v) = ck.number("val_loss") {
        name += &format!(" · val {v:.3}");
    }
    if let Some(a) = ck.number("accuracy") {
        name += &format!(" · accuracy {a:.3}");
    }
    // The record of its training questions is shown by its size, not its
    // bytes, and counted without building the set.
    let mut shown: BTreeMap<&str, std::borrow::Cow<str>> = meta.iter().map(|(k, v)| (k.as_str(), v.into())).collect();
    if let Some(record) = meta.get(crate::data::reasoning::seen::META) {
        let count = crate::data::reasoning::Seen::count(record);
        shown.insert(crate::data::reasoning::seen::META, count.map_or_else(|e| e, |n| format!("{n} questions (hashed; a test set leaves them out)")).into());
    }
    // Borrowed, not copied into a JSON value: the metadata can be most of the file.
    #[derive(serde::Serialize)]
    struct Description<'a> {
        config: &'a GptConfig,
        format: &'a str,
        metadata: BTreeMap<&'a str, std::borrow::Cow<'a, str>>,
        tensors: Vec<(String, Vec<usize>)>,
        vocab: String,
    }
    let description = Description { config: c, format: FORMAT, metadata: shown, tensors: tensor_shapes(c), vocab: vocab.iter().collect() };
    // Written twice, the first time only counted: the text is as large as
    // the metadata, and a buffer that grows holds twice that as it copies.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer_pretty(&mut count, &description).map_err(|e| e.to_string())?;
    let mut text = Vec::with_capacity(count.0);
    serde_json::to_writer_pretty(&mut text, &description).map_err(|e| e.to_string())?;
    let config = String::from_utf8(text).map_err(|e| e.to_string())?;
    Ok(ModelInfo { hash: content_hash(bytes), name, lab, step, total_steps, config })
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
    /// A number the metadata holds (a metric), if it reads as a finite one.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.meta.get(key)?.parse::<f64>().ok().filter(|v| v.is_finite())
    }

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
            let config = GptConfig::new(11, 8, 2, 2, 32).with_positions(positions).with_seed(4);
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
        let config = GptConfig::new(11, 8, 2, 2, 32).with_seed(4);
        let (_, bytes) = saved(&config);
        let info = info(&bytes).unwrap();
        assert_eq!(info.hash.len(), 16);
        assert!(info.hash.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(info.hash, content_hash(&bytes), "the same bytes, the same name");
        assert_eq!(info.name, "gpt · text · 2 × 32 · step 0");
        let config_json: serde_json::Value = serde_json::from_str(&info.config).unwrap();
        assert_eq!(config_json["config"]["n_embd"], 32);
        assert_eq!(config_json["tensors"][0][0], "wte.weight");
        let mut other = bytes.clone();
        *other.last_mut().unwrap() ^= 1;
        assert_ne!(content_hash(&other), info.hash, "one flipped bit, another name");
        assert!(super::info(&bytes[..100]).is_err());
    }
}
