//! What a model file may claim: the configs the labs keep, and nothing past
//! them. The labs that save a model are gpt, gpt-mini, cot, tools, ppo and
//! dpo; a file whose config none of their settings makes was not made by
//! one, and is refused before anything is allocated for its tensors (the
//! hostile_models test checks these against the labs' settings).

use crate::models::gpt::{GptConfig, Norm, Positions};

/// Blocks: the gpt lab's setting goes to 12 (the others' to 8).
pub const MAX_LAYERS: usize = 12;
/// Heads: every lab's choices.
pub const HEADS: [usize; 4] = [1, 2, 4, 8];
/// Widths: the gpt lab's choices (the others' are among them).
pub const WIDTHS: [usize; 7] = [32, 48, 64, 96, 128, 192, 256];
/// Context: the gpt lab's setting runs from 8 to 256; week 4 makes room for
/// its longest problem, rounded up to a multiple of 8 (about 440 characters:
/// the calculator's word problems of 6 operations on 5–6-digit numbers),
/// and refuses a set that needs more than this.
pub const MAX_CONTEXT: usize = 512;
/// Characters: week 4 has 97; the gpt lab takes a text of 2 or more, and
/// refuses one of more than this.
pub const MAX_VOCAB: usize = 4096;

/// The tensors of a GPT of `layers` blocks with learned positions (the most).
pub(super) fn tensor_count(layers: usize) -> usize {
    5 + 12 * layers
}

/// Whether a lab can make a model of this context.
fn offered_context(t: usize) -> bool {
    (8..=256).contains(&t) || (t % 8 == 0 && (8..=MAX_CONTEXT).contains(&t))
}

/// A config the labs could have made: of their sizes, and of the kinds they
/// keep (pre-LN, residual, causal; learned, RoPE or no positions). What a
/// burn assert would catch when the model is built is caught here first,
/// with a message, before the sizes the labs happen to offer.
pub fn check_config(c: &GptConfig) -> Result<(), String> {
    let (max_heads, max_width) = (HEADS[HEADS.len() - 1], WIDTHS[WIDTHS.len() - 1]);
    let sizes = [("layers", c.n_layer, MAX_LAYERS), ("heads", c.n_head, max_heads), ("width", c.n_embd, max_width), ("context", c.block_size, MAX_CONTEXT), ("characters", c.vocab_size, MAX_VOCAB)];
    if let Some((what, n, max)) = sizes.iter().find(|(_, n, max)| !(1..=*max).contains(n)) {
        return Err(format!("the file's config has {n} {what}; the labs keep models of 1 to {max}"));
    }
    // Heads split the width: a remainder fails a reshape inside burn.
    if c.n_embd % c.n_head != 0 {
        return Err(format!("the file's config splits width {} into {} heads, which does not divide", c.n_embd, c.n_head));
    }
    // RoPE turns a head's dimensions in pairs: burn asserts an even head size.
    if c.positions == Positions::Rope && (c.n_embd / c.n_head) % 2 == 1 {
        return Err(format!("the file's config has RoPE with heads of {} dimensions; RoPE needs an even number", c.n_embd / c.n_head));
    }
    if !HEADS.contains(&c.n_head) || !WIDTHS.contains(&c.n_embd) || !offered_context(c.block_size) || c.vocab_size < 2 {
        return Err(format!("the file's config (width {} in {} heads, context {}, {} characters) is not one a lab makes", c.n_embd, c.n_head, c.block_size, c.vocab_size));
    }
    if c.positions == Positions::Sinusoidal || c.norm != Norm::Pre || !c.residual || !c.causal {
        return Err(format!("the file's config ({:?} positions, {:?}-LN, residual {}, causal {}) is not one a lab keeps", c.positions, c.norm, c.residual, c.causal));
    }
    Ok(())
}
