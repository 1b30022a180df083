//! Day 21's run: Day 18's GPT is trained first (or loaded), and at every
//! snapshot it is taken apart on the prompt: one forward pass through its
//! pieces for the shapes, the residual streams and attention for the lens and
//! the maps, all read back in one go.

use super::{shape, AnatomyView, PathRow};
use crate::data::files::DataFiles;
use crate::event::Snapshot;
use crate::labs::gpt::GptLab;
use crate::labs::{LocalFuture, Training};
use crate::models::attention::{merge_heads, scores};
use crate::models::fused::{gelu_tanh, softmax_last};
use crate::models::gpt::Gpt;
use crate::settings::Params;
use burn::module::Module;
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// Parameters per component, counted from the model's own tensors.
pub fn components(model: &Gpt) -> Vec<(String, usize)> {
    let sum = |f: &dyn Fn(&crate::models::gpt::Block) -> usize| model.blocks.iter().map(f).sum::<usize>();
    let mut parts = vec![("token embedding".to_string(), model.wte.num_params())];
    if let Some(wpe) = &model.wpe {
        parts.push(("position embedding".into(), wpe.num_params()));
    }
    parts.push(("attention".into(), sum(&|b| b.attn.num_params())));
    parts.push(("MLP".into(), sum(&|b| b.mlp.num_params())));
    parts.push(("LayerNorms".into(), sum(&|b| b.ln1.num_params() + b.ln2.num_params()) + model.ln_f.num_params()));
    parts.push(("head".into(), model.head.num_params()));
    parts
}

/// The data path of `idx` [1, T] through the model, stage by stage, with the
/// shapes the tensors have (the first block in detail; the others repeat it).
/// Nothing is read back: shapes are known without the values.
pub fn data_path(model: &Gpt, idx: Tensor<2, Int>) -> Vec<PathRow> {
    let row = |stage: &str, weights: Option<String>, out: &[usize]| [stage.to_string(), weights.unwrap_or_else(|| "—".into()), shape(out)];
    let t = idx.dims()[1];
    let mut rows = vec![row("characters → ids", None, &idx.dims())];
    let tok = model.wte.forward(idx.clone()); // [1, T, C]
    rows.push(row("token embedding (a row per id)", Some(shape(&model.wte.weight.dims())), &tok.dims()));
    let x = model.embed(idx, 0); // [1, T, C]
    if let Some(wpe) = &model.wpe {
        rows.push(row("+ position embedding", Some(shape(&wpe.weight.dims())), &x.dims()));
    } else if let Some(s) = &model.sinusoids {
        rows.push(row("+ sinusoids (fixed, not trained)", Some(shape(&s.dims())), &x.dims()));
    }
    let Some(block) = model.blocks.first() else { return rows };
    let ln = |n: &burn::nn::LayerNorm| format!("{} × 2", shape(&n.gamma.dims()));
    let h = block.ln1.forward(x.clone()); // [1, T, C]
    rows.push(row("block 1: LayerNorm", Some(ln(&block.ln1)), &h.dims()));
    let qkv = block.attn.qkv.forward(h.clone()); // [1, T, 3C]
    rows.push(row("queries, keys, values in one matmul", Some(shape(&block.attn.qkv.weight.dims())), &qkv.dims()));
    let (q, k, v) = block.attn.heads(h, 0); // [1, H, T, D] each
    let rope = if block.attn.rope.is_some() { ", rotated by position (RoPE)" } else { "" };
    rows.push(row(&format!("split into {} heads: q, k, v each{rope}", block.attn.n_head), None, &q.dims()));
    let mask = model.mask.clone().slice([0..t, 0..t]); // [T, T]
    let s = scores(q, k, mask); // [1, H, T, T]
    rows.push(row("scores q·kᵀ / √D, future masked", None, &s.dims()));
    let att = softmax_last(s); // [1, H, T, T]
    rows.push(row("softmax over keys: attention weights", None, &att.dims()));
    let y = att.matmul(v); // [1, H, T, D]
    rows.push(row("weights × values", None, &y.dims()));
    let y = merge_heads(y); // [1, T, C]
    rows.push(row("heads side by side", None, &y.dims()));
    let a = block.attn.proj.forward(y); // [1, T, C]
    rows.push(row("output projection", Some(shape(&block.attn.proj.weight.dims())), &a.dims()));
    let mid = x + a; // [1, T, C]
    rows.push(row("+ residual", None, &mid.dims()));
    let h = block.ln2.forward(mid.clone()); // [1, T, C]
    rows.push(row("LayerNorm", Some(ln(&block.ln2)), &h.dims()));
    let f = block.mlp.c_fc.forward(h); // [1, T, 4C]
    rows.push(row("MLP: widen to 4C", Some(shape(&block.mlp.c_fc.weight.dims())), &f.dims()));
    let f = gelu_tanh(f); // [1, T, 4C]
    rows.push(row("GELU", None, &f.dims()));
    let m = block.mlp.c_proj.forward(f); // [1, T, C]
    rows.push(row("MLP: back to C", Some(shape(&block.mlp.c_proj.weight.dims())), &m.dims()));
    let out = mid + m; // [1, T, C]
    rows.push(row("+ residual: block 1's output", None, &out.dims()));
    let l = model.blocks.len();
    match l {
        1 => {}
        2 => rows.push(row("block 2: the same, with its own weights", None, &out.dims())),
        l => rows.push(row(&format!("blocks 2–{l}: the same, each with its own weights"), None, &out.dims())),
    }
    let z = model.ln_f.forward(out); // [1, T, C]
    rows.push(row("final LayerNorm", Some(ln(&model.ln_f)), &z.dims()));
    let logits = model.head.forward(z); // [1, T, V]
    rows.push(row("head: a score per character", Some(shape(&model.head.weight.dims())), &logits.dims()));
    rows.push(row("softmax: next-character probabilities", None, &logits.dims()));
    rows
}

pub struct AnatomyLab {
    /// Day 18's lab: trains the GPT (no steps for a loaded model).
    gpt: GptLab,
    prompt: String,
    view: AnatomyView,
    /// The step the view was taken apart at; `None` when the prompt changed.
    opened_at: Option<usize>,
}

/// While training, the model is taken apart again this often (it is a few
/// forward passes and a read), not at every snapshot.
const REOPEN_EVERY: usize = 100;

impl AnatomyLab {
    pub fn new(params: &Params, device: &Device, files: &DataFiles) -> Result<Self, String> {
        let gpt = GptLab::first_of(params, &["corpus", "layers"], device, files)?;
        Ok(Self { gpt, prompt: params.get("prompt")?.to_string(), view: AnatomyView::default(), opened_at: None })
    }

    /// The prompt's ids, cut to the model's context; a space if none is left.
    fn ids(&self, model: &Gpt) -> Vec<i64> {
        let vocab = self.gpt.vocab();
        let mut ids: Vec<i64> = vocab.encode(&self.prompt).into_iter().map(i64::from).collect();
        ids.truncate(model.block_size());
        if ids.is_empty() {
            ids = vocab.encode(" ").into_iter().map(i64::from).collect();
            ids.resize(1, 0);
        }
        ids
    }

    /// The whole anatomy on the prompt, read back in one go.
    async fn open(&self, model: &Gpt) -> Result<AnatomyView, String> {
        let ids = self.ids(model);
        let t = ids.len();
        let device = model.head.weight.device();
        let idx = Tensor::<2, Int>::from_data(TensorData::new(ids.clone(), [1, t]), &device); // [1, T]
        let path = data_path(model, idx.clone());
        let (streams, attention) = model.streams(idx.clone());
        let output = model.logits(idx); // [1, T, V]
        let v = output.dims()[2];
        let last = model.readout(streams.last().expect("the embeddings at least").clone()); // [1, T, V]
        let mut parts = vec![(last - output).abs().max().reshape([1])]; // [1]
        parts.extend(streams.iter().map(|x| softmax(model.readout(x.clone()), 2).reshape([t * v]))); // [T·V] each
        parts.extend(attention.iter().map(|a| a.clone().reshape([-1]))); // [H·T·T] each
        let values = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading the model failed: {e:?}"))?;
        let values = values.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let vocab = self.gpt.vocab();
        let layers = streams.len();
        let (lens, maps) = values[1..].split_at(layers * t * v);
        let mut view = AnatomyView { params: components(model), path, output_gap: values[0], prompt: ids.iter().map(|&i| vocab.decode(&[i as u32])).collect(), ..Default::default() };
        for probs in lens.chunks(t * v) {
            let rows: Vec<&[f32]> = probs.chunks(v).collect();
            view.lens_top.push(rows.iter().map(|p| {
                let top = crate::labs::sampling::filter::ranked(p)[0];
                (vocab.decode(&[top as u32]), p[top])
            }).collect());
            view.lens_right.push((0..t - 1).map(|i| rows[i][ids[i + 1] as usize]).collect());
        }
        let heads = model.blocks.first().map_or(1, |b| b.attn.n_head);
        view.attention = maps.chunks(heads * t * t).map(|block| block.chunks(t * t).map(|head| head.chunks(t).map(<[f32]>::to_vec).collect()).collect()).collect();
        Ok(view)
    }

    pub async fn read(&mut self) -> Result<(Snapshot, AnatomyView), String> {
        let (mut snap, _) = self.gpt.read().await?;
        let step = self.gpt.steps_done();
        let due = self.opened_at.is_none_or(|at| step >= at + REOPEN_EVERY || (self.gpt.is_done() && at != step));
        if due {
            let model = self.gpt.model().valid();
            self.view = self.open(&model).await?;
            self.opened_at = Some(step);
        }
        let view = &self.view;
        snap.metrics.retain(|(k, _)| k != "sample_tokens_per_sec");
        for (name, count) in &view.params {
            snap.metrics.push((format!("params_{}", name.split(' ').next().unwrap_or(name).to_lowercase()), *count as f64));
        }
        let first = view.first_right();
        let found: Vec<usize> = first.iter().flatten().copied().collect();
        snap.metrics.push(("lens_output_gap".into(), view.output_gap as f64));
        let last = view.lens_top.len() - 1;
        let right = (0..first.len()).filter(|&i| view.lens_top[last][i].0 == view.prompt[i + 1]).count();
        snap.metrics.push(("lens_right_at_output".into(), right as f64 / first.len().max(1) as f64));
        if !found.is_empty() {
            snap.metrics.push(("lens_first_right_mean".into(), found.iter().sum::<usize>() as f64 / found.len() as f64));
        }
        snap.note = format!("The GPT: {}", snap.note);
        Ok((snap, self.view.clone()))
    }

    pub fn view(&self) -> &AnatomyView {
        &self.view
    }
}

impl Training for AnatomyLab {
    fn step(&mut self) {
        self.gpt.step();
    }
    fn steps_done(&self) -> usize {
        self.gpt.steps_done()
    }
    fn total_steps(&self) -> usize {
        self.gpt.total_steps()
    }
    fn set_live(&mut self, key: &str, value: &str) {
        if key == "prompt" {
            self.prompt = value.to_string();
            self.opened_at = None;
        }
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}
