//! Model files that cannot hurt (issue 33, item 8). A seeded corpus of more
//! than a thousand hostile files: every config option (learned, RoPE, no and
//! sinusoidal positions, odd and even heads, post-LN, no residual, no mask),
//! configs at and past the labs' limits, byte ranges that overlap, run
//! backwards, alias, come out of order or point far past the end, shapes and
//! dtypes that lie, truncated files, header lengths that lie, empty and
//! garbage metadata, NaN weights and garbage vocabularies. Each is refused
//! with a message or loaded as a finite model that builds on the CPU and
//! runs; and reading it (`decode`, `info`) holds at most twice its size in
//! memory, as this binary's own allocator counts, plus a fixed allowance.
//! The allocator counts every thread: a test here measures only while it
//! holds `ONE_AT_A_TIME`.

#[path = "hostile/corpus.rs"]
mod corpus;

use corpus::{case, Case, Expect};
use reasonlab::data::reasoning::Seen;
use reasonlab::labs::history::{curves_in, History};
use reasonlab::models::checkpoint::{self, MAX_CONTEXT, MAX_LAYERS, MAX_VOCAB};
use reasonlab::models::gpt::{GptConfig, Positions};
use reasonlab::rng::Rng;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;

/// Bytes allocated now, and the most since the last `peak` began.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = CURRENT.fetch_add(n, SeqCst) + n;
    PEAK.fetch_max(now, SeqCst);
}

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        CURRENT.fetch_sub(layout.size(), SeqCst);
    }
    // Counted as the new block beside the old one: a realloc that moves holds both for a moment.
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            grew(new_size);
            CURRENT.fetch_sub(layout.size(), SeqCst);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Held by a test while it measures: the allocator counts every thread.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The most `f` held at once beyond what was held before it (its result included).
fn peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(SeqCst);
    PEAK.store(base, SeqCst);
    let out = f();
    (out, PEAK.load(SeqCst).saturating_sub(base))
}

/// The fixed part of what reading any file may hold: the header's bounded
/// bookkeeping (at most 256 metadata entries and 149 tensors, names of at
/// most 128 bytes), serde_json's scratch for an escaped string (at most
/// 32 KiB, twice over), the description's indentation, and messages.
const ALLOWANCE: usize = 128 << 10;

/// Reads one case as a page would, and checks what came of it: whether it
/// loaded, and the most reading it held.
fn check(case: &Case, device: &burn::prelude::Device) -> (bool, usize) {
    let len = case.bytes.len();
    let bound = 2 * len + ALLOWANCE;
    let (decoded, held_decode) = peak(|| checkpoint::decode(&case.bytes));
    assert!(held_decode <= bound, "{}: decode held {held_decode} bytes for a file of {len}", case.what);
    let (info, held) = peak(|| checkpoint::info(&case.bytes));
    assert!(held <= bound, "{}: info held {held} bytes for a file of {len}", case.what);
    let held = held.max(held_decode);
    assert_eq!(decoded.is_ok(), info.is_ok(), "{}: decode and info agree", case.what);
    match decoded {
        Err(why) => {
            assert!(!why.is_empty(), "{}: a refusal says why", case.what);
            match case.expect {
                Expect::Loads => panic!("{}: refused: {why}", case.what),
                Expect::Refused(part) => assert!(why.contains(part), "{}: {why:?} does not say {part:?}", case.what),
                Expect::Either => {}
            }
            (false, held)
        }
        Ok(ck) => {
            assert!(!matches!(case.expect, Expect::Refused(_)), "{}: loaded, expected {:?}", case.what, case.expect);
            assert!(ck.values.iter().flatten().all(|v| v.is_finite()), "{}: finite weights", case.what);
            checkpoint::check_config(&ck.config).unwrap();
            let info = info.unwrap();
            assert!(info.name.chars().count() < 200 && !info.name.contains("NaN") && !info.name.contains("val inf"), "{}: {}", case.what, info.name);
            // Everything a lab reads from the metadata reads without a panic.
            let _ = (curves_in(&ck.meta), History::from_meta(&ck.meta, info.step), ck.number("accuracy"));
            // The description counts the record of training questions as the set would hold them.
            if let Some(Ok(seen)) = Seen::from_meta(&ck.meta) {
                assert!(info.config.contains(&format!("\"{} questions", seen.len())), "{}", case.what);
            }
            // What was loaded is a model: it writes back the same file's weights and builds.
            let again = checkpoint::encode(&ck.config, &ck.vocab, &ck.meta, &ck.values.concat()).unwrap();
            assert_eq!(checkpoint::decode(&again).unwrap().values, ck.values, "{}", case.what);
            let model = ck.to_model(device);
            let t = ck.config.block_size.min(3);
            let idx = burn::prelude::Tensor::<2, burn::prelude::Int>::from_data(burn::prelude::TensorData::new((0..t as i64).map(|i| i % ck.config.vocab_size as i64).collect::<Vec<_>>(), [1, t]), device);
            let logits = model.logits(idx).into_data().try_to_vec::<f32>().unwrap();
            assert_eq!(logits.len(), t * ck.config.vocab_size);
            if case.sane {
                assert!(logits.iter().all(|v| v.is_finite()), "{}: finite logits", case.what);
            }
            (true, held)
        }
    }
}

#[test]
fn a_thousand_hostile_files_are_refused_or_load_as_finite_models_within_twice_their_size() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = std::time::Instant::now();
    let device = reasonlab::backend::cpu();
    let mut rng = Rng::new(33);
    // Each size at the labs' limit loads, and one past it is refused; so is
    // a size within the limits that no lab makes.
    let small = |vocab, block, layers, heads, width| GptConfig::new(vocab, block, layers, heads, width).with_seed(7);
    let (past, unmade) = ("the labs keep models of 1 to", "is not one a lab makes");
    let edges = [
        (small(5, 8, MAX_LAYERS, 1, 32), Expect::Loads),
        // A 13th block's tensors are refused while the header is read.
        (small(5, 8, MAX_LAYERS + 1, 1, 32), Expect::Refused("more than 149 tensors")),
        (small(5, 8, 1, 8, 32).with_positions(Positions::Rope), Expect::Loads),
        (small(5, 8, 1, 16, 32), Expect::Refused(past)),
        (small(5, 8, 1, 3, 48), Expect::Refused(unmade)),
        (small(3, 8, 1, 4, 256), Expect::Loads),
        (small(3, 8, 1, 4, 260), Expect::Refused(past)),
        (small(5, 8, 1, 1, 40), Expect::Refused(unmade)),
        (small(5, MAX_CONTEXT, 1, 1, 32), Expect::Loads),
        (small(5, MAX_CONTEXT + 1, 1, 1, 32), Expect::Refused(past)),
        (small(5, 264, 1, 1, 32), Expect::Loads),
        (small(5, 260, 1, 1, 32), Expect::Refused(unmade)),
        (small(5, 7, 1, 1, 32), Expect::Refused(unmade)),
        (small(MAX_VOCAB, 8, 1, 1, 32), Expect::Loads),
        (small(MAX_VOCAB + 1, 8, 1, 1, 32), Expect::Refused(past)),
        (small(1, 8, 1, 1, 32), Expect::Refused(unmade)),
    ];
    let edge = |(c, expect): &(GptConfig, Expect), rng: &mut Rng| {
        let total: usize = checkpoint::tensor_shapes(c).iter().map(|(_, s)| s.iter().product::<usize>()).sum();
        let vocab: Vec<char> = (0..c.vocab_size as u32).map(|i| char::from_u32(0x100 + i).unwrap()).collect();
        let bytes = checkpoint::encode(c, &vocab, &BTreeMap::new(), &rng.normal_vec(total, 0.1)).unwrap();
        Case { what: format!("{c:?}"), bytes, expect: *expect, sane: true }
    };
    let (mut loaded, mut refused, mut biggest, mut excess, mut files, mut total) = (0, 0, 0.0f64, isize::MIN, 0, 0);
    // Made one at a time, so that the corpus never sits in memory at once.
    for k in 0..1200 + edges.len() {
        let case = if k < 1200 { case(k, &mut rng) } else { edge(&edges[k - 1200], &mut rng) };
        let (ok, held) = check(&case, &device);
        (loaded, refused) = if ok { (loaded + 1, refused) } else { (loaded, refused + 1) };
        excess = excess.max(held as isize - 2 * case.bytes.len() as isize);
        if case.bytes.len() > 256 << 10 {
            biggest = biggest.max(held as f64 / case.bytes.len() as f64);
        }
        (files, total) = (files + 1, total + case.bytes.len());
    }
    eprintln!(
        "{files} files ({:.1} MB): {loaded} loaded, {refused} refused in {:.1} s; files over 256 KiB held at most {biggest:.2} × their size, and any file at most {excess} bytes past twice its size",
        total as f64 / 1e6,
        started.elapsed().as_secs_f64(),
    );
    assert!(files >= 1000 && loaded >= 200 && refused >= 500, "{loaded} loaded, {refused} refused");
    assert!(checkpoint::decode(b"PK\x03\x04 a zip file").unwrap_err().contains("not a ReasonLab model file"));
}

#[test]
fn a_dense_record_of_training_questions_is_held_in_less_than_twice_its_text() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = 1 << 20;
    // 4 MiB of text at k = 0: a question every other bit (gaps of 1, 12 in
    // each "qqqq"), or every bit a repeat of the last (gaps of 0 in "AAAA").
    for (pattern, codes, distinct) in [("qqqq", 12 * r, 12 * r), ("AAAA", 24 * r, 1)] {
        let text = format!("rice1:0:{codes}:{}", pattern.repeat(r));
        let meta = BTreeMap::from([(reasonlab::data::reasoning::seen::META.to_string(), text.clone())]);
        let (seen, held) = peak(|| Seen::from_meta(&meta).unwrap().unwrap());
        assert!(held <= 2 * text.len(), "{pattern}: {held} bytes held for a record of {}", text.len());
        assert_eq!((seen.len(), Seen::count(&text)), (distinct, Ok(distinct)), "{pattern}");
        let (_, held) = peak(|| Seen::count(&text));
        assert!(held <= text.len(), "{pattern}: counting held {held}");
        // A lab's own questions on top (the reason labs' start model), and the record in another (the eval lab's).
        let set = reasonlab::data::reasoning::generate(&reasonlab::data::reasoning::Spec::new("add", 2).unwrap(), 2000, 1, &std::collections::BTreeSet::new());
        let (both, held) = peak(|| {
            let mut both = Seen::default();
            both.extend(&seen);
            both.add_all(&set);
            both
        });
        assert!(held <= 2 * text.len(), "{pattern}: {held} bytes held for a record of {} and 2000 questions", text.len());
        assert!(both.len() >= distinct && both.count_in(&set) == set.len());
        assert_eq!(Seen::decode(&both.encode()).unwrap(), both);
        eprintln!("{pattern}: {} questions from {} bytes of text, {held} bytes held with 2000 more", seen.len(), text.len());
    }
}
