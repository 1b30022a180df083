//! The Rice coding of a record's sorted hashes, kept as it is in memory too:
//! a file's record is never unpacked into a set, since a dense one (two bits
//! a hash, say) would take many times its size that way (issue 33: a crafted
//! file never takes more than twice its size). Some hashes are sampled with
//! where the code after them starts, so that a lookup is a binary search of
//! the samples, then a short run of codes decoded.

/// A sample at most every `STRIDE` codes and every `SPAN` bits: an index of
/// an eighth of the record's bytes at most however dense it is (8 bytes a
/// sample), and of 1 bit a hash for ours (15 bits or more a hash); a lookup
/// decodes at most 64 codes, or 512 bits, past a sample.
const STRIDE: usize = 64;
const SPAN: usize = 512;

/// What a damaged record says is wrong with it.
pub(super) type Damage = &'static str;

/// One Rice code: the gap's high part in unary (ones, then a zero), then its
/// `k` low bits.
pub(super) fn write(bits: &mut Bits, gap: u64, k: u32) {
    for _ in 0..gap >> k {
        bits.push(true);
    }
    bits.push(false);
    for i in (0..k).rev() {
        bits.push(gap >> i & 1 == 1);
    }
}

#[derive(Default)]
pub(super) struct Bits {
    pub bytes: Vec<u8>,
    pub len: usize,
}

impl Bits {
    pub fn with_capacity(bits: usize) -> Self {
        Bits { bytes: Vec::with_capacity(bits.div_ceil(8)), len: 0 }
    }

    pub fn push(&mut self, bit: bool) {
        if self.len.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if bit {
            *self.bytes.last_mut().expect("pushed above") |= 0x80 >> (self.len % 8);
        }
        self.len += 1;
    }
}

/// Reads a record's codes in turn, each hash the one before plus a gap.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    k: u32,
    /// The next bit to read.
    at: usize,
    last: u64,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], k: u32) -> Self {
        Reader { bytes, k, at: 0, last: 0 }
    }

    /// The next hash, after the checks that a hostile record needs: `k < 32`
    /// was checked with its header, and here no gap may pass 32 bits (nor
    /// its unary part run on through a file's worth of ones), no hash pass
    /// 32 bits, and no code run past the end.
    pub fn step(&mut self) -> Result<u32, Damage> {
        let limit = 1u64 << (32 - self.k);
        let mut high = 0u64;
        // The unary part a byte at a time: a hostile gap may be millions of ones.
        loop {
            let byte = *self.bytes.get(self.at / 8).ok_or("truncated")?;
            let off = self.at % 8;
            let ones = (byte << off).leading_ones() as usize;
            high += ones as u64;
            self.at += ones;
            if high > limit {
                return Err("a gap past 32 bits");
            }
            if off + ones < 8 {
                self.at += 1; // the zero that ends it
                break;
            }
        }
        let (mut low, mut need) = (0u64, self.k as usize);
        while need > 0 {
            let byte = *self.bytes.get(self.at / 8).ok_or("truncated")? as u64;
            let off = self.at % 8;
            let take = need.min(8 - off);
            low = low << take | (byte >> (8 - off - take) & ((1 << take) - 1));
            (need, self.at) = (need - take, self.at + take);
        }
        self.last += high << self.k | low;
        u32::try_from(self.last).map_err(|_| "a hash past 32 bits")
    }
}

/// Sorted hashes, Rice-coded; repeats (gaps of 0) are kept as a file had
/// them, and counted once.
#[derive(Clone, Default)]
pub(super) struct Rice {
    k: u32,
    /// Where the codes end: bits past it are padding.
    end: usize,
    /// Distinct hashes.
    pub distinct: usize,
    bytes: Vec<u8>,
    /// Sampled hashes, each with where the code after it starts.
    index: Vec<(u32, u32)>,
}

/// Builds a record's index as its codes go by.
struct Sampler {
    index: Vec<(u32, u32)>,
    since: usize,
}

impl Sampler {
    /// For `n` codes in `bits` bits: room for every sample, allocated once.
    fn new(n: usize, bits: usize) -> Self {
        Sampler { index: Vec::with_capacity(1 + n.div_ceil(STRIDE).min(bits / SPAN)), since: 0 }
    }

    /// A code's hash, and where the code after it starts.
    fn saw(&mut self, h: u32, at: usize) {
        self.since += 1;
        let far = self.index.last().is_none_or(|&(_, last)| self.since >= STRIDE && at - last as usize >= SPAN);
        if far {
            self.index.push((h, at as u32));
            self.since = 0;
        }
    }
}

impl Rice {
    /// A file's record: `n` codes of parameter `k`, each checked once here.
    /// The caller has checked that `n` codes fit in `bytes` (at least k + 1
    /// bits each).
    pub fn read(k: u32, n: usize, mut bytes: Vec<u8>) -> Result<Rice, Damage> {
        // Positions are kept in 32 bits.
        if bytes.len() > (u32::MAX / 8) as usize {
            return Err("past 512 MiB");
        }
        let mut samples = Sampler::new(n, bytes.len() * 8);
        let mut read = Reader::new(&bytes, k);
        let (mut distinct, mut last) = (0, None);
        for _ in 0..n {
            let h = read.step()?;
            distinct += usize::from(last.replace(h) != Some(h));
            samples.saw(h, read.at);
        }
        // Bytes past the last code hold nothing: not kept.
        let end = read.at;
        bytes.truncate(end.div_ceil(8));
        bytes.shrink_to_fit();
        Ok(Rice { k, end, distinct, bytes, index: samples.index })
    }

    /// Sorted, distinct hashes (`hashes()` gives them afresh: read twice),
    /// coded with the parameter that takes the fewest bits for these gaps:
    /// never more than any coding of them, or of more, that a file had.
    pub fn from_sorted<I: Iterator<Item = u32>>(hashes: impl Fn() -> I) -> Rice {
        // unary[k]: the codes' unary parts with parameter k.
        let (mut n, mut last, mut unary) = (0usize, 0u64, [0u64; 32]);
        for h in hashes() {
            let gap = h as u64 - last;
            last = h as u64;
            n += 1;
            for (k, u) in unary.iter_mut().enumerate().take(64 - gap.leading_zeros() as usize) {
                *u += gap >> k;
            }
        }
        let size = |k: usize| (unary[k] + (n as u64) * (k as u64 + 1)) as usize;
        let k = (0..32).min_by_key(|&k| size(k)).expect("32 candidates");
        let mut bits = Bits::with_capacity(size(k));
        let mut samples = Sampler::new(n, size(k));
        last = 0;
        for h in hashes() {
            write(&mut bits, h as u64 - last, k as u32);
            last = h as u64;
            assert!(bits.len <= u32::MAX as usize, "a record under 512 MiB");
            samples.saw(h, bits.len);
        }
        Rice { k: k as u32, end: bits.len, distinct: n, bytes: bits.bytes, index: samples.index }
    }

    pub fn contains(&self, h: u32) -> bool {
        // The last sample at or below h, then the codes after it up to one
        // past h (the next sample's at the latest).
        let i = self.index.partition_point(|&(v, _)| v <= h);
        let Some(&(v, at)) = i.checked_sub(1).map(|i| &self.index[i]) else { return false };
        let mut read = Reader { bytes: &self.bytes, k: self.k, at: at as usize, last: v as u64 };
        let mut x = v;
        while x < h && read.at < self.end {
            // Every code was checked when read: an error cannot come, and would mean absent.
            let Ok(next) = read.step() else { return false };
            x = next;
        }
        x == h
    }

    /// The distinct hashes in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut read = Reader::new(&self.bytes, self.k);
        let mut last = None;
        std::iter::from_fn(move || (read.at < self.end).then(|| read.step().ok()).flatten()).filter(move |&h| last.replace(h) != Some(h))
    }

    /// Bytes held: the codes and the index.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.bytes.capacity() + self.index.capacity() * std::mem::size_of::<(u32, u32)>()
    }
}
