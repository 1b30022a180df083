//! Softmax and GELU as single autodiff ops with their own backward, on the CPU.
//!
//! burn's autodiff builds softmax from five ops (max, sub, exp, sum, div) and the
//! GELU here from seven, then differentiates each one: the backward of `exp` even
//! recomputes `exp` from its input. On a GPT-M step that is dozens of passes over
//! [B, H, T, T] and [B, T, 4C] tensors, and every `exp` a scalar libm call (perf:
//! `expf` alone was 13 % of the step). Here each is one op: a forward pass and a
//! backward pass, with an `exp` that is plain arithmetic, so the compiler inlines
//! it and can vectorise the loops around it (SSE2 natively, simd128 in wasm).
//!
//! The gradients are the textbook ones: softmax y = softmax(x) gives
//! dx = y ⊙ (dy − Σ dy ⊙ y) along the row; GELU x·σ(z), z = k·(x + c·x³), gives
//! dx = dy·(s + x·s·(1 − s)·k·(1 + 3c·x²)) with s = σ(z).
//!
//! Only the CPU backend (flex) takes these routes; on WebGPU the callers keep burn's
//! own ops (`softmax_last`, `gelu_tanh` below decide by the tensor's device).

use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{unary, Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, Autodiff, Backend, Dispatch, Flex, TensorMetadata};
use burn::prelude::*;

/// √(2/π) and GELU's cubic coefficient; x·σ(2u) is ½·x·(1 + tanh u).
const K: f32 = 2.0 * 0.797_884_6;
const C: f32 = 0.044_715;

#[backend_extension(Flex: cfg(feature = "engine"), Autodiff)]
pub trait FusedOps: Backend {
    /// Softmax along the last axis.
    fn softmax_last(x: FloatTensor<Self>) -> FloatTensor<Self>;
    /// dx = y ⊙ (dy − Σ dy ⊙ y) from the softmax's output y and the incoming
    /// gradient dy. This body, from the backend's own ops, is what autodiff
    /// runs (so it differentiates again); flex replaces it with one pass.
    fn softmax_last_backward(y: FloatTensor<Self>, dy: FloatTensor<Self>) -> FloatTensor<Self> {
        let last = y.shape().num_dims() - 1;
        let dot = Self::float_sum_dim(Self::float_mul(dy.clone(), y.clone()), last); // [.., 1]
        Self::float_mul(y, Self::float_sub(dy, dot))
    }
    /// GELU, tanh approximation.
    fn gelu_tanh(x: FloatTensor<Self>) -> FloatTensor<Self>;
    /// dx = dy·(s + x·s·(1 − s)·k·(1 + 3c·x²)), s = σ(k·(x + c·x³)), from GELU's
    /// input x and the incoming gradient dy; as above, flex replaces this body.
    fn gelu_tanh_backward(x: FloatTensor<Self>, dy: FloatTensor<Self>) -> FloatTensor<Self> {
        let x2 = Self::float_mul(x.clone(), x.clone());
        let cubic = Self::float_mul_scalar(Self::float_mul(x2.clone(), x.clone()), C.into());
        let s = Self::sigmoid(Self::float_mul_scalar(Self::float_add(x.clone(), cubic), K.into()));
        let ds = Self::float_mul(s.clone(), Self::float_add_scalar(Self::float_neg(s.clone()), 1.0f32.into()));
        let dz = Self::float_mul_scalar(Self::float_add_scalar(Self::float_mul_scalar(x2, (3.0 * C).into()), 1.0f32.into()), K.into());
        let slope = Self::float_add(s, Self::float_mul(x, Self::float_mul(ds, dz)));
        Self::float_mul(dy, slope)
    }
}

/// Softmax over the last axis of `x`.
pub fn softmax_last<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if !on_cpu(&x) {
        return burn::tensor::activation::softmax(x, D - 1);
    }
    Tensor::from_dispatch(<Dispatch as FusedOps>::softmax_last(x.into_dispatch()))
}

/// GELU, tanh approximation: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
pub fn gelu_tanh<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    if !on_cpu(&x) {
        return gelu_tanh_composed(x);
    }
    Tensor::from_dispatch(<Dispatch as FusedOps>::gelu_tanh(x.into_dispatch()))
}

/// The same GELU from burn's ops, for the other backends (and as the reference
/// the tests hold the fused one to). Written as x·σ(2u), the same function,
/// because one `exp` costs less than `tanh` and `powf`.
pub fn gelu_tanh_composed<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let cube = x.clone() * x.clone() * x.clone();
    let z = (x.clone() + cube * C as f64) * K as f64;
    x * burn::tensor::activation::sigmoid(z)
}

fn on_cpu<const D: usize>(x: &Tensor<D>) -> bool {
    matches!(x.device().inner().as_dispatch(), burn::backend::DispatchDevice::Flex(_))
}

impl FusedOps for Flex {
    fn softmax_last(x: FlexTensor) -> FlexTensor {
        map_rows(&x, &x, |row, _, out| {
            let max = lanes(row, row, f32::NEG_INFINITY, |m, v, _| if v > m { v } else { m }, f32::max);
            for (o, &v) in out.iter_mut().zip(row) {
                *o = exp(v - max);
            }
            let inv = 1.0 / lanes(out, out, 0.0, |s, v, _| s + v, |a, b| a + b);
            out.iter_mut().for_each(|o| *o *= inv);
        })
    }

    fn softmax_last_backward(y: FlexTensor, dy: FlexTensor) -> FlexTensor {
        map_rows(&y, &dy, |y, dy, out| {
            let dot = lanes(y, dy, 0.0, |s, a, b| s + a * b, |a, b| a + b);
            for ((o, &y), &g) in out.iter_mut().zip(y).zip(dy) {
                *o = y * (g - dot);
            }
        })
    }

    fn gelu_tanh(x: FlexTensor) -> FlexTensor {
        map_rows(&x, &x, |x, _, out| {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = v * sigmoid(K * (v + C * v * v * v));
            }
        })
    }

    fn gelu_tanh_backward(x: FlexTensor, dy: FlexTensor) -> FlexTensor {
        map_rows(&x, &dy, |x, dy, out| {
            for ((o, &v), &g) in out.iter_mut().zip(x).zip(dy) {
                let s = sigmoid(K * (v + C * v * v * v));
                *o = g * (s + v * s * (1.0 - s) * K * (1.0 + 3.0 * C * v * v));
            }
        })
    }
}

/// Runs `f` on each row (last axis) of `a` and `b`, which share a shape, into a
/// new tensor of that shape. Natively and in the browser's worker with threads
/// the rows are split between the cores, as burn's own element-wise ops are
/// not: these kernels were 15 % of a GPT-M step on one thread.
fn map_rows(a: &FlexTensor, b: &FlexTensor, f: impl Fn(&[f32], &[f32], &mut [f32]) + Sync) -> FlexTensor {
    let shape = a.shape();
    let row = (*shape.as_slice().last().expect("a tensor with at least one axis")).max(1);
    let (a, b) = (a.to_contiguous(), b.to_contiguous());
    let (a, b) = (a.as_slice::<f32>().expect("f32"), b.as_slice::<f32>().expect("f32"));
    let mut out = vec![0.0f32; a.len()];
    // Blocks of whole rows, about 64k elements each: large enough that a task
    // outweighs its scheduling, small enough to share among the cores.
    let block = row * (65_536 / row).max(1);
    let work = |(o, (x, y)): (&mut [f32], (&[f32], &[f32]))| {
        for ((o, x), y) in o.chunks_mut(row).zip(x.chunks(row)).zip(y.chunks(row)) {
            f(x, y, o);
        }
    };
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    {
        use rayon::prelude::*;
        out.par_chunks_mut(block).zip(a.par_chunks(block).zip(b.par_chunks(block))).for_each(work);
    }
    #[cfg(all(target_arch = "wasm32", not(feature = "threads")))]
    out.chunks_mut(block).zip(a.chunks(block).zip(b.chunks(block))).for_each(work);
    FlexTensor::from_data(TensorData::new(out, shape))
}

/// Folds `step` over the pairs of `a` and `b` in eight independent lanes, then
/// joins the lanes with `join`. One running accumulator is a chain of dependent
/// adds (or maxes) that neither pipelines nor vectorises: softmax's row sums
/// and maxima written that way made it five times slower. Lanes reorder the
/// float sum, which changes it in the last bits only.
#[inline(always)]
fn lanes(a: &[f32], b: &[f32], init: f32, step: impl Fn(f32, f32, f32) -> f32, join: impl Fn(f32, f32) -> f32) -> f32 {
    const L: usize = 8;
    let mut acc = [init; L];
    let (ca, cb) = (a.chunks_exact(L), b.chunks_exact(L));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..L {
            acc[i] = step(acc[i], x[i], y[i]);
        }
    }
    let tail = ra.iter().zip(rb).fold(init, |s, (&x, &y)| step(s, x, y));
    acc.into_iter().fold(tail, join)
}

/// eˣ for f32 without libm, so that loops over it vectorise: eˣ = 2ⁿ·eʳ with
/// n = round(x·log₂e) and r = x − n·ln 2 (ln 2 in two parts, so r keeps its
/// precision for large |x|), 2ⁿ built in the exponent bits and eʳ, |r| ≤ ½ln 2,
/// by its Taylor polynomial to r⁶. Relative error about 2e-7, as good as f32
/// allows. Inputs below −87 give 0 (the masked −∞ scores), above 88 saturate.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let xc = x.clamp(-87.0, 88.0);
    // Round to nearest without `round()` (a libm call): the 1.5·2²³ trick.
    let n = (xc * std::f32::consts::LOG2_E + 12_582_912.0) - 12_582_912.0;
    let r = (xc - n * 0.693_145_75) - n * 1.428_606_8e-6;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    let scale = f32::from_bits(((n as i32 + 127) << 23) as u32);
    if x < -87.0 { 0.0 } else { p * scale }
}

#[inline(always)]
fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + exp(-z))
}

impl<B: Backend + FusedOps, Cs: CheckpointStrategy> FusedOps for Autodiff<B, Cs> {
    fn softmax_last(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct SoftmaxLast;
        impl<B: Backend + FusedOps> Backward<B, 1> for SoftmaxLast {
            type State = FloatTensor<B>; // y: the backward needs the output, not the input
            fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
                let y = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |dy| B::softmax_last_backward(y, dy));
            }
        }
        match SoftmaxLast.prepare::<Cs>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let y = B::softmax_last(x.into_primitive());
                prep.finish(y.clone(), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::softmax_last(x.into_primitive())),
        }
    }

    fn gelu_tanh(x: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct GeluTanh;
        impl<B: Backend + FusedOps> Backward<B, 1> for GeluTanh {
            type State = FloatTensor<B>; // x
            fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
                let x = ops.state;
                unary::<B, _>(ops.parents, ops.node, grads, |dy| B::gelu_tanh_backward(x, dy));
            }
        }
        match GeluTanh.prepare::<Cs>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let input = x.primitive().clone();
                prep.finish(input, B::gelu_tanh(x.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::gelu_tanh(x.into_primitive())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn exp_matches_libm_and_zeroes_the_mask() {
        let mut worst = 0.0f32;
        for i in -8_700..8_800 {
            let x = i as f32 * 0.01 + 0.003;
            worst = worst.max((exp(x) - x.exp()).abs() / x.exp());
        }
        assert!(worst < 5e-7, "relative error {worst}");
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(-1e9), 0.0);
    }

    /// Values and gradients of the fused ops against burn's own composition, on
    /// rows with masked (−∞) entries like the causal scores.
    #[test]
    fn fused_ops_match_burns_composition() {
        let device = crate::backend::cpu().autodiff();
        let mut rng = Rng::new(7);
        let mut xs = rng.normal_vec(3 * 5 * 7, 2.0);
        for (i, x) in xs.iter_mut().enumerate() {
            if i % 7 > 3 + (i / 7) % 3 {
                *x = f32::NEG_INFINITY; // a causal row keeps at least its first entries
            }
        }
        let weights = Tensor::<3>::from_data(TensorData::new(rng.normal_vec(105, 1.0), [3, 5, 7]), &device);
        type Op = fn(Tensor<3>) -> Tensor<3>;
        let cases: [(&str, Vec<f32>, Op, Op); 2] = [
            ("softmax", xs.clone(), softmax_last::<3>, |x| burn::tensor::activation::softmax(x, 2)),
            ("gelu", xs.iter().map(|x| x.max(-6.0)).collect(), gelu_tanh::<3>, gelu_tanh_composed::<3>),
        ];
        for (name, data, fused, composed) in cases {
            let run = |f: Op| {
                let x = Tensor::<3>::from_data(TensorData::new(data.clone(), [3, 5, 7]), &device).require_grad();
                let y = f(x.clone());
                let grads = (y.clone() * weights.clone()).sum().backward();
                let dx = x.grad(&grads).expect("a gradient").into_data().try_to_vec::<f32>().unwrap();
                (y.into_data().try_to_vec::<f32>().unwrap(), dx)
            };
            let ((y1, g1), (y2, g2)) = (run(fused), run(composed));
            for (a, b) in y1.iter().zip(&y2).chain(g1.iter().zip(&g2)) {
                assert!((a - b).abs() < 1e-5 * (1.0 + b.abs()), "{name}: {a} vs {b}");
            }
        }
    }

    /// The backward bodies built from the backend's ops (what an autodiff tensor
    /// runs) give what flex's single passes give.
    #[test]
    fn backward_bodies_agree_with_the_fused_passes() {
        let mut rng = Rng::new(3);
        let (y, dy) = (rng.normal_vec(4 * 9, 1.0), rng.normal_vec(4 * 9, 1.0));
        let run = |device: &Device, gelu: bool| {
            let t = |v: &Vec<f32>| Tensor::<2>::from_data(TensorData::new(v.clone(), [4, 9]), device).into_dispatch();
            let out = match gelu {
                true => <Dispatch as FusedOps>::gelu_tanh_backward(t(&y), t(&dy)),
                false => <Dispatch as FusedOps>::softmax_last_backward(t(&y), t(&dy)),
            };
            Tensor::<2>::from_dispatch(out).into_data().try_to_vec::<f32>().unwrap()
        };
        let cpu = crate::backend::cpu();
        for gelu in [false, true] {
            for (a, b) in run(&cpu, gelu).iter().zip(run(&cpu.clone().autodiff(), gelu)) {
                assert!((a - b).abs() < 1e-5 * (1.0 + b.abs()), "gelu {gelu}: {a} vs {b}");
            }
        }
    }
}
