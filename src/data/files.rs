//! The data files a lab reads, by name. The browser's worker fetches them from
//! `data/` on the site (with progress), the CLI reads them from `data/` on disk;
//! both hand the lab the same bytes.

use std::collections::BTreeMap;

/// The name under which the user's own text travels with the data files: the
/// page's file picker or the CLI's `--text-file` puts it there, never `data/`.
pub const UPLOAD: &str = "upload";

/// The name under which a model file the user loads travels (the CLI's
/// `--load`): a lab that can start from a trained model looks for it.
pub const MODEL: &str = "model";

/// A second model file, for a lab that compares two (Day 25's eval).
pub const MODEL_B: &str = "model_b";

/// The `i`-th model set beside the first (0: `MODEL_B`, then model_c, …),
/// for a lab that compares several (Day 29's compare).
pub fn other_model(i: usize) -> String {
    format!("model_{}", letter(i + 1))
}

/// A model's letter in a comparison: a for the first, b, c, … after it.
pub fn letter(i: usize) -> char {
    char::from(b'a' + (i % 26) as u8)
}

/// Present (empty) when `MODEL` is a checkpoint of the run being built, to
/// continue rather than start from.
pub const RESUME: &str = "resume";

#[derive(Clone, Debug, Default)]
pub struct DataFiles(pub BTreeMap<String, Vec<u8>>);

impl DataFiles {
    /// The bytes of one file, or an error that names it.
    pub fn get(&self, name: &str) -> Result<&[u8], String> {
        self.0
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| format!("the data file data/{name} is missing"))
    }

    pub fn insert(&mut self, name: &str, bytes: Vec<u8>) {
        self.0.insert(name.to_string(), bytes);
    }

    /// Reads `names` from a directory (the CLI's and the tests' way in).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_dir(dir: &std::path::Path, names: &[&str]) -> Result<Self, String> {
        let mut files = Self::default();
        for name in names {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read the data file {}: {e}", path.display()))?;
            files.insert(name, bytes);
        }
        Ok(files)
    }

    /// `data/` of this checkout, or `$REASONLAB_DATA` when set.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn default_dir() -> std::path::PathBuf {
        match std::env::var_os("REASONLAB_DATA") {
            Some(dir) => dir.into(),
            None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        }
    }
}

/// Inflates a gzip member; a corrupt file gets an error with its name.
#[cfg(feature = "engine")]
pub fn gunzip(name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| format!("the data file data/{name} is corrupt: {e}"))?;
    Ok(out)
}
