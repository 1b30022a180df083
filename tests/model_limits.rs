//! The loader's limits (`checkpoint::check_config`) are the labs' own: a
//! file whose config no lab that keeps a model can make is refused, and no
//! lab makes a model that the loader would refuse.

use reasonlab::data::files::{DataFiles, UPLOAD};
use reasonlab::models::checkpoint::{self, HEADS, MAX_CONTEXT, MAX_LAYERS, MAX_VOCAB, WIDTHS};
use reasonlab::models::gpt::{GptConfig, Positions};
use reasonlab::settings::{Kind, Params};
use std::collections::BTreeSet;

/// The loader's limits are the labs' own: the sizes that the labs that keep
/// a model offer, and no other; every head size among them even (RoPE turns
/// pairs).
#[test]
fn the_limits_are_what_the_labs_that_keep_models_offer() {
    let numbers = |kind: Kind| -> Vec<usize> {
        match kind {
            Kind::Int { min, max } => vec![min as usize, max as usize],
            Kind::Choice(c) => c.iter().map(|v| v.parse().unwrap()).collect(),
            _ => panic!("a size is a number"),
        }
    };
    let (mut layers, mut heads, mut widths, mut contexts) = (Vec::new(), BTreeSet::new(), BTreeSet::new(), Vec::new());
    for lab in ["gpt", "gpt-mini", "cot", "tools", "ppo", "dpo"] {
        let schema = reasonlab::labs::schema(lab);
        let setting = |key: &str| schema.iter().find(|s| s.key == key).map(|s| numbers(s.kind));
        layers.extend(setting("layers").unwrap());
        widths.extend(setting("width").unwrap());
        // The tuning labs' warm-up models take week 4's default heads (4).
        let lab_heads = setting("heads").unwrap_or(vec![4]);
        heads.extend(lab_heads.iter().copied());
        contexts.extend(setting("context").unwrap_or_default());
        for w in setting("width").unwrap() {
            for h in &lab_heads {
                let rope = GptConfig::new(97, 64, 1, *h, w).with_positions(Positions::Rope);
                assert!(checkpoint::check_config(&rope).is_ok(), "{lab}: width {w} in {h} heads");
            }
        }
    }
    assert_eq!((layers.iter().min(), layers.iter().max()), (Some(&1), Some(&MAX_LAYERS)));
    assert_eq!(heads, BTreeSet::from(HEADS));
    assert_eq!(widths, BTreeSet::from(WIDTHS));
    // The gpt lab's context; week 4 makes its own, a multiple of 8 up to MAX_CONTEXT.
    assert_eq!(contexts, [8, 256]);
    for (t, ok) in [(7, false), (8, true), (100, true), (256, true), (257, false), (264, true), (MAX_CONTEXT, true)] {
        assert_eq!(checkpoint::check_config(&GptConfig::new(97, t, 1, 4, 64)).is_ok(), ok, "context {t}");
    }
    assert_eq!(reasonlab::data::reasoning::vocab().len(), 97);
}

/// The gpt lab does not train what the loader would refuse: a text of more
/// distinct characters than a file may have.
#[test]
fn the_gpt_lab_refuses_a_text_of_more_characters_than_a_file_holds() {
    let schema = reasonlab::labs::schema("gpt");
    let mut p = Params::defaults(&schema);
    p.set(&schema, "corpus", "file").unwrap();
    for (n, ok) in [(MAX_VOCAB, true), (MAX_VOCAB + 1, false)] {
        let text: String = (0..n as u32).map(|i| char::from_u32(0x4E00 + i).unwrap()).cycle().take(3 * n).collect();
        let mut files = DataFiles::default();
        files.insert(UPLOAD, text.into_bytes());
        match reasonlab::labs::start("gpt", &p, &reasonlab::backend::cpu(), &files) {
            Ok(_) => assert!(ok, "{n} characters trained"),
            Err(e) => assert!(!ok && e.contains("at most 4096"), "{n}: {e}"),
        }
    }
}
