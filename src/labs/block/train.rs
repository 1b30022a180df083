//! Day 15's training: two stacks of GPT blocks, with and without residuals,
//! stepped in lock-step; at each snapshot one probe batch measures the
//! residual stream and the gradient reaching every block.

use super::{note, BlockView};
use crate::data::chars::{windows, CharCorpus};
use crate::data::text::toy_corpus;
use crate::event::{Series, Snapshot};
use crate::labs::twins::{self, Twin};
use crate::labs::{LocalFuture, Training};
use crate::models::gpt::{lm_loss, BlockOutput, Gpt, GptConfig, Norm};
use crate::rng::Rng;
use crate::settings::Params;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;

/// Characters per sequence (the GPT's block size).
const SEQ: usize = 32;
/// Sequences per training step.
const BATCH: usize = 16;
/// Sequences in the fixed probe batch the pictures are measured on.
const PROBE: usize = 8;
/// Sentences of the toy corpus: about 70,000 characters.
const SENTENCES: usize = 2000;

pub struct BlockLab {
    /// With residuals, then without.
    stacks: [Twin; 2],
    norm: Norm,
    train: Vec<u32>,
    probe: (Tensor<2, Int>, Tensor<2, Int>), // [PROBE, SEQ] each
    rng: Rng,
    lr: f64,
    steps: usize,
    step: usize,
    device: Device,
}

impl BlockLab {
    pub fn new(params: &Params, device: &Device) -> Result<Self, String> {
        let seed = params.u64("seed")?;
        let device = device.clone().autodiff();
        let norm = if params.get("norm")? == "post" { Norm::Post } else { Norm::Pre };
        let corpus = CharCorpus::new(&toy_corpus(SENTENCES, seed), SEQ)?;
        let config = GptConfig::new(corpus.vocab.len(), SEQ, params.usize("layers")?, params.usize("heads")?, params.usize("width")?).with_norm(norm).with_seed(seed);
        // The same seed gives both stacks the same weights: only the residuals differ.
        let stack = |residual: bool| Twin::new(config.clone().with_residual(residual).init(&device));
        let (x, y) = windows(&corpus.val, PROBE, SEQ, &mut Rng::new(0x9B0B));
        let probe = (tokens(x, PROBE, &device), tokens(y, PROBE, &device));
        Ok(Self {
            stacks: [stack(true), stack(false)],
            norm,
            train: corpus.train,
            probe,
            rng: Rng::new(seed ^ 0xB10C),
            lr: params.f64("lr")?,
            steps: params.usize("steps")?,
            step: 0,
            device,
        })
    }

    /// The probe batch through one stack: its per-block gradient norms [L]
    /// and, where asked, the stream sizes [1 + 4L], all on the device.
    fn probe(&self, model: &Gpt, stream: bool) -> (Tensor<1>, Option<Tensor<1>>) {
        let (input, outputs, loss) = trace(model, self.probe.0.clone(), self.probe.1.clone());
        let sizes = stream.then(|| {
            let mut parts = vec![size(input)];
            for out in outputs {
                let [a, m] = out.added;
                parts.extend([size(a), size(out.mid), size(m), size(out.x)]);
            }
            Tensor::cat(parts, 0).inner() // [1 + 4L]
        });
        let grads = GradientsParams::from_grads(loss.backward(), model);
        (block_grad_norms(model, &grads), sizes)
    }

    pub async fn read(&mut self) -> Result<(Snapshot, BlockView), String> {
        let (grads_with, stream) = self.probe(self.stacks[0].model(), true);
        let (grads_without, _) = self.probe(self.stacks[1].model(), false);
        let l = grads_with.dims()[0];
        let (n, mut parts) = twins::pending(&mut self.stacks);
        parts.extend([grads_with, grads_without, stream.expect("asked for")]);
        let values = Tensor::cat(parts, 0).into_data_async().await.map_err(|e| format!("reading results failed: {e:?}"))?;
        let values = values.try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
        let (losses, rest) = values.split_at(2 * n);
        let (grads, stream) = rest.split_at(2 * l);
        let first = self.step - n;
        let mut series = Vec::new();
        for (k, (stack, name)) in self.stacks.iter_mut().zip(["loss", "loss_no_residual"]).enumerate() {
            let points = stack.losses(&losses[k * n..(k + 1) * n], first, &format!("stack {}", super::STACKS[k]), self.lr)?;
            series.push(Series { name: name.into(), points });
        }
        let grads = [grads[..l].to_vec(), grads[l..].to_vec()];
        let norm = if self.norm == Norm::Post { "post" } else { "pre" };
        let losses = [self.stacks[0].last_loss, self.stacks[1].last_loss];
        let mut metrics = vec![("step".to_string(), self.step as f64)];
        metrics.extend(losses[0].map(|v| ("loss".to_string(), v as f64)));
        metrics.extend(losses[1].map(|v| ("loss_no_residual".to_string(), v as f64)));
        metrics.push(("grad_ratio_first_last".into(), super::first_last_ratio(&grads[0])));
        metrics.push(("grad_ratio_first_last_no_residual".into(), super::first_last_ratio(&grads[1])));
        let note = note(norm, losses, &grads);
        let view = BlockView { norm: norm.into(), grads, stream: stream.to_vec(), note: note.clone() };
        Ok((Snapshot { step: self.step, total_steps: self.steps, metrics, series, note, figures: Vec::new() }, view))
    }
}

/// Token ids as a [rows, SEQ] tensor.
fn tokens(ids: Vec<i64>, rows: usize, device: &Device) -> Tensor<2, Int> {
    Tensor::from_data(TensorData::new(ids, [rows, SEQ]), device)
}

/// The GPT's forward pass written out block by block, keeping what each block
/// computed: the embedded input [B, T, C], every block's output, and the loss.
fn trace(model: &Gpt, x: Tensor<2, Int>, y: Tensor<2, Int>) -> (Tensor<3>, Vec<BlockOutput>, Tensor<1>) {
    let t = x.dims()[1];
    let mask = model.mask.clone().slice([0..t, 0..t]); // [T, T]
    let input = model.embed(x, 0); // [B, T, C]
    let mut h = input.clone(); // [B, T, C]
    let mut outputs = Vec::new();
    for block in &model.blocks {
        let out = block.forward(h, mask.clone(), None, None);
        h = out.x.clone(); // [B, T, C]
        outputs.push(out);
    }
    let h = model.ln_f.forward(h); // [B, T, C]
    let logits = model.head.forward(h); // [B, T, V]
    (input, outputs, lm_loss(logits, y))
}

/// Mean L2 norm of a position's vector: [B, T, C] → [1].
fn size(x: Tensor<3>) -> Tensor<1> {
    x.detach().powi_scalar(2).sum_dim(2).sqrt().mean() // [1]
}

/// Adds up the squared gradients of the parameters it visits.
struct SquaredSum<'a> {
    grads: &'a GradientsParams,
    parts: Vec<Tensor<1>>,
}

impl ModuleVisitor for SquaredSum<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(param.id) {
            self.parts.push(g.powi_scalar(2).sum()); // [1]
        }
    }
}

/// ‖∂loss/∂θ‖ over each block's parameters, first block first: [L].
fn block_grad_norms(model: &Gpt, grads: &GradientsParams) -> Tensor<1> {
    let norms = model
        .blocks
        .iter()
        .map(|block| {
            let mut sum = SquaredSum { grads, parts: Vec::new() };
            block.visit(&mut sum);
            Tensor::cat(sum.parts, 0).sum().sqrt() // [1]
        })
        .collect();
    Tensor::cat(norms, 0) // [L]
}

impl Training for BlockLab {
    /// One step of each stack on the same batch: forward → loss → backward →
    /// gradients → Adam.
    fn step(&mut self) {
        let (x, y) = windows(&self.train, BATCH, SEQ, &mut self.rng);
        let (x, y) = (tokens(x, BATCH, &self.device), tokens(y, BATCH, &self.device)); // [B, T] each
        for stack in &mut self.stacks {
            let model = stack.take();
            let logits = model.logits(x.clone()); // [B, T, V]
            let loss = lm_loss(logits, y.clone()); // [1]
            let grads = loss.backward();
            let grads = GradientsParams::from_grads(grads, &model);
            let model = stack.optim.step(self.lr, model, grads);
            stack.put(model, loss);
        }
        self.step += 1;
    }
    fn steps_done(&self) -> usize {
        self.step
    }
    fn total_steps(&self) -> usize {
        self.steps
    }
    fn snapshot(&mut self) -> LocalFuture<'_, Result<Snapshot, String>> {
        crate::labs::with_figures(self.read(), |view| view.figures())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(layers: &str, norm: &str) -> BlockLab {
        let schema = crate::labs::schema("block");
        let mut p = Params::defaults(&schema);
        p.set(&schema, "layers", layers).unwrap();
        p.set(&schema, "norm", norm).unwrap();
        p.set(&schema, "width", "16").unwrap();
        BlockLab::new(&p, &crate::backend::cpu()).unwrap()
    }

    #[test]
    fn the_trace_keeps_every_block_at_the_stream_width() {
        let lab = lab("3", "post");
        let model = lab.stacks[0].model();
        let (input, outputs, loss) = trace(model, lab.probe.0.clone(), lab.probe.1.clone());
        assert_eq!(input.dims(), [PROBE, SEQ, 16]);
        assert_eq!(outputs.len(), 3);
        for out in &outputs {
            assert_eq!(out.x.dims(), [PROBE, SEQ, 16]);
            assert_eq!(out.mid.dims(), [PROBE, SEQ, 16]);
            assert_eq!(out.added[1].dims(), [PROBE, SEQ, 16]);
            assert_eq!(out.attention.dims(), [PROBE, 4, SEQ, SEQ]);
        }
        assert_eq!(loss.dims(), [1]);
    }

    #[test]
    fn the_probe_measures_a_gradient_per_block_and_four_sizes_a_block() {
        let lab = lab("2", "pre");
        let (grads, stream) = lab.probe(lab.stacks[1].model(), true);
        assert_eq!(grads.dims(), [2]);
        assert_eq!(stream.unwrap().dims(), [1 + 4 * 2]);
    }
}
