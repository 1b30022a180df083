#!/usr/bin/env bash
# On the GPU machine (the device tool), from the repo root, with .gpupart and .gl carried:
#   bash scripts/gpu/run.sh stash     keep this call's chunks in /tmp/payload for the next call
#   bash scripts/gpu/run.sh [s m]     add this call's chunks, unpack, measure (results in $OUT)
# The payload is too big for one call (pack.sh splits it), so the machine must stay warm
# between calls. Measures: ReasonLab's bench page and TF.js's webgpu backend in headless
# Chromium on Vulkan, ReasonLab's native wgpu backend, and JAX on the GPU for reference.
set -u
P=/tmp/payload; OUT=${OUT:-/tmp/out}
mkdir -p "$P/parts" "$OUT" && cp .gpupart/part-* "$P/parts/" 2>/dev/null
ls -la "$P/parts"
[ "${1:-}" = stash ] && exit 0
cd "$P" && cat parts/part-* | tar -xf - && tar -xJf rest.tar.xz && xz -dc chromium.xz > chromium/chromium && chmod +x chromium/chromium || exit 1; [ ! -f reasonlab ] || chmod +x reasonlab
cd - >/dev/null && cp scripts/gpu/wrap.html "$P/dist/__wrap.html"
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
echo "vulkan icd: ${icd:-none found}"; [ -n "$icd" ] && cat "$icd"
export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
# Chromium aborts (Skia's font manager) on a page that draws text where fontconfig finds no fonts.
mkdir -p "$P/fonts" && cp .gpufonts/* "$P/fonts/" && export FONTCONFIG_FILE=$P/fonts/fonts.conf
mkdir -p "$P/lib"
for l in "$P"/libs/*; do ldconfig -p | grep -qF "$(basename "$l") (" || cp "$l" "$P/lib/"; done
echo "libraries added: $(ls "$P/lib" | wc -l)"; export LD_LIBRARY_PATH=$P/lib VK_LOADER_DEBUG=error,warn
ls /usr/share/vulkan/implicit_layer.d /etc/vulkan/implicit_layer.d /usr/share/vulkan/icd.d 2>&1
grep PRETTY /etc/os-release; ldd --version | head -1; nvidia-smi --query-gpu=name,driver_version,clocks.sm --format=csv
ldd "$P/chromium/chromium" | grep 'not found'
"$P/chromium/chromium" --version
timeout 360 python3 scripts/gpu/bench.py "$P" "$OUT" "$@"
# With dist-fusion in the payload: the same pages on the fusion build, right after.
[ -d "$P/dist-fusion" ] && DIST=dist-fusion TFJS=0 timeout 200 python3 scripts/gpu/bench.py "$P" "$OUT" "$@"
if [ -x "$P/reasonlab" ]; then
  for s in s m; do timeout 60 "$P/reasonlab" bench gpt --size $s --backend wgpu --json | tee -a "$OUT/native.jsonl"; done
fi
[ "${JAX:-1}" = 0 ] || (cd "$P/peers/py" && for s in S M; do timeout 60 python3 jax_gpt.py $s | tee -a "$OUT/jax.jsonl"; done)
