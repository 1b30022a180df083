//! Which backend trains a lab: WebGPU or the CPU, and why.
//!
//! The policy lives here, away from the browser, so it is unit-tested natively.
//! The page's worker fills in what the browser reports about its adapter.

use serde::{Deserialize, Serialize};

/// The CPU device: burn's `flex` backend (gemm matmuls, SIMD element-wise ops;
/// on wasm32 with `simd128`). It replaced ndarray after a GPT-M step measured
/// 913 ms on flex against 1,128 ms on ndarray, natively in one run (BENCHMARKS.md).
#[cfg(feature = "engine")]
pub fn cpu() -> burn::prelude::Device {
    burn::prelude::Device::flex()
}

/// What the user (or the link) asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    #[default]
    Auto,
    Webgpu,
    Cpu,
}

impl BackendChoice {
    pub const NAMES: &'static [&'static str] = &["auto", "webgpu", "cpu"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Self::Auto),
            "webgpu" => Some(Self::Webgpu),
            "cpu" => Some(Self::Cpu),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Webgpu => "webgpu",
            Self::Cpu => "cpu",
        }
    }
}

/// What actually runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Webgpu,
    Cpu,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Webgpu => "webgpu",
            Self::Cpu => "cpu",
        }
    }
}

/// What the browser says about its WebGPU adapter (`GPUAdapterInfo`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AdapterInfo {
    pub vendor: String,
    pub architecture: String,
    pub device: String,
    pub description: String,
    pub is_fallback: bool,
}

impl AdapterInfo {
    /// A software rasteriser pretending to be a GPU: SwiftShader, llvmpipe, WARP,
    /// or any adapter the browser itself flags as a fallback.
    pub fn is_software(&self) -> bool {
        let text = format!("{} {} {} {}", self.vendor, self.architecture, self.device, self.description)
            .to_lowercase();
        self.is_fallback
            || ["swiftshader", "llvmpipe", "lavapipe", "softpipe", "basic render", "warp"]
                .iter()
                .any(|name| text.contains(name))
    }

    pub fn label(&self) -> String {
        let parts: Vec<&str> = [&self.vendor, &self.architecture, &self.description]
            .into_iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        if parts.is_empty() { "unnamed adapter".into() } else { parts.join(" ") }
    }
}

/// How much arithmetic one training step of a lab does. Small steps are bound by
/// the per-dispatch latency of a GPU (tens of microseconds a kernel, more in a
/// browser), so the CPU wins them even next to a real GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    Tiny,
    Large,
}

/// The decision for `auto`, and for a forced choice that cannot be honoured.
/// `adapter` is `Err(reason)` when WebGPU is missing or the adapter request failed.
pub fn choose(
    choice: BackendChoice,
    adapter: Result<&AdapterInfo, &str>,
    workload: Workload,
) -> (BackendKind, String) {
    match (choice, adapter) {
        (BackendChoice::Cpu, _) => (BackendKind::Cpu, "CPU chosen in the settings.".into()),
        (BackendChoice::Webgpu, Ok(info)) => {
            let note = if info.is_software() { " (a software adapter: expect it to be slow)" } else { "" };
            (BackendKind::Webgpu, format!("WebGPU chosen in the settings, on {}{note}.", info.label()))
        }
        (_, Err(why)) => (BackendKind::Cpu, format!("WebGPU is not available ({why}), so the CPU runs it.")),
        (BackendChoice::Auto, Ok(info)) if info.is_software() => (
            BackendKind::Cpu,
            format!("Auto: the WebGPU adapter is {}, a software renderer, so the CPU is faster.", info.label()),
        ),
        (BackendChoice::Auto, Ok(info)) => match workload {
            Workload::Tiny => (
                BackendKind::Cpu,
                "Auto: this model is tiny, so GPU launch latency would dominate; the CPU is faster.".into(),
            ),
            Workload::Large => (BackendKind::Webgpu, format!("Auto: a hardware GPU ({}) is faster here.", info.label())),
        },
    }
}

/// Whether a lab may end up on WebGPU, so that the page must start the worker
/// that has it. When `choose` would pick the CPU whatever the adapter says, the
/// page starts the CPU-only worker, a module a fraction of the size.
pub fn needs_webgpu_worker(choice: BackendChoice, workload: Workload) -> bool {
    match choice {
        BackendChoice::Cpu => false,
        BackendChoice::Auto => workload == Workload::Large,
        BackendChoice::Webgpu => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swiftshader() -> AdapterInfo {
        AdapterInfo { vendor: "google".into(), architecture: "swiftshader".into(), ..Default::default() }
    }

    fn nvidia() -> AdapterInfo {
        AdapterInfo { vendor: "nvidia".into(), architecture: "hopper".into(), ..Default::default() }
    }

    #[test]
    fn auto_never_picks_a_software_adapter() {
        for w in [Workload::Tiny, Workload::Large] {
            assert_eq!(choose(BackendChoice::Auto, Ok(&swiftshader()), w).0, BackendKind::Cpu);
        }
        let fallback = AdapterInfo { is_fallback: true, vendor: "x".into(), ..Default::default() };
        assert_eq!(choose(BackendChoice::Auto, Ok(&fallback), Workload::Large).0, BackendKind::Cpu);
    }

    #[test]
    fn auto_uses_a_real_gpu_for_large_work_only() {
        assert_eq!(choose(BackendChoice::Auto, Ok(&nvidia()), Workload::Large).0, BackendKind::Webgpu);
        assert_eq!(choose(BackendChoice::Auto, Ok(&nvidia()), Workload::Tiny).0, BackendKind::Cpu);
    }

    #[test]
    fn the_cpu_worker_is_started_only_where_the_cpu_is_certain() {
        for choice in [BackendChoice::Auto, BackendChoice::Webgpu, BackendChoice::Cpu] {
            for w in [Workload::Tiny, Workload::Large] {
                if !needs_webgpu_worker(choice, w) {
                    for adapter in [Ok(&nvidia()), Ok(&swiftshader()), Err("none")] {
                        assert_eq!(choose(choice, adapter, w).0, BackendKind::Cpu, "{choice:?} {w:?}");
                    }
                }
            }
        }
        assert!(needs_webgpu_worker(BackendChoice::Auto, Workload::Large));
        assert!(!needs_webgpu_worker(BackendChoice::Auto, Workload::Tiny));
    }

    #[test]
    fn forced_choices_and_missing_webgpu() {
        assert_eq!(choose(BackendChoice::Webgpu, Ok(&swiftshader()), Workload::Tiny).0, BackendKind::Webgpu);
        assert_eq!(choose(BackendChoice::Cpu, Ok(&nvidia()), Workload::Large).0, BackendKind::Cpu);
        let (kind, why) = choose(BackendChoice::Webgpu, Err("navigator.gpu is missing"), Workload::Large);
        assert_eq!(kind, BackendKind::Cpu);
        assert!(why.contains("navigator.gpu is missing"));
    }
}
