#!/usr/bin/env bash
# How much smaller the CPU worker gets at opt-level "z", and how much slower
# its GPT-M step: builds www/worker_cpu with the `wasm` profile at opt-level z
# (BASE=3 for 3), except the packages named (kept at 3, or `package=LEVEL`),
# beside the built dist/, then runs the GPT-M benchmark page on both in turn
# (single thread, no service worker), in one sitting. BENCHMARKS.md
# ("Nineteenth session") has the results.
#   bash scripts/bench-opt-level.sh [rounds] [package[=level]]...
#   bash scripts/bench-opt-level.sh 3 burn-flex gemm gemm-common gemm-f32 reasonlab
#   BASE=3 bash scripts/bench-opt-level.sh 3 reasonlab=z serde_json=z
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
rounds="${1:-3}"
shift || true
[[ -f dist/worker_cpu_bg.wasm ]] || { echo "build the site first: bash scripts/build.sh" >&2; exit 2; }
kept=()
for p in "$@"; do
  level="${p#*=}"; [[ "$p" == *=* ]] || level=3
  [[ "$level" =~ ^[0-3]$ ]] || level="\"$level\""
  kept+=(--config "profile.wasm.package.\"${p%%=*}\".opt-level=$level")
done
out=target/opt-exp
CARGO_PROFILE_WASM_OPT_LEVEL="${BASE:-z}" cargo build --locked --profile wasm --target wasm32-unknown-unknown \
  -p worker_cpu --target-dir "$out" "${kept[@]}"
rm -rf "$out/site" "$out/bindgen"
wasm-bindgen --target no-modules --out-dir "$out/bindgen" --out-name worker_cpu "$out/wasm32-unknown-unknown/wasm/worker_cpu.wasm"
cp -r dist "$out/site"
wasm-opt -Oz --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue --enable-simd "$out/bindgen/worker_cpu_bg.wasm" -o "$out/site/worker_cpu_bg.wasm"
cp "$out/bindgen/worker_cpu.js" "$out/site/"
rm -f "$out/site/worker_cpu_bg.wasm."{gz,br} "$out/site/worker_cpu.js."{gz,br}
echo "worker_cpu gzip -9: dist $(gzip -9c dist/worker_cpu_bg.wasm | wc -c) B, opt-level ${BASE:-z} but [${*:-nothing}] $(gzip -9c "$out/site/worker_cpu_bg.wasm" | wc -c) B"
node scripts/bench-opt-level.mjs "$out/site" "$rounds"
