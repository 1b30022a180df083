#!/usr/bin/env bash
# Builds the CPU training worker with threads (www/worker_threads) into a site
# folder: trunk runs this after its own build (Trunk.toml's hook), or by hand:
# `bash scripts/build-threads.sh dist`.
#
# Trunk cannot build it: the module needs wasm atomics and shared memory, so
# std itself is rebuilt with them (`-Z build-std`, with rust-src). We use the
# pinned stable compiler with RUSTC_BOOTSTRAP=1 rather than a second, nightly
# toolchain, and our own target folder, since its flags differ from the other
# modules'. The page starts this worker only where SharedArrayBuffer exists
# (a cross-origin-isolated page); elsewhere it starts worker_cpu.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-${TRUNK_STAGING_DIR:-dist}}"
target=target/threads
# The linker makes the memory shared only when told, and shared memory must
# declare a maximum: 4 GiB, wasm32's limit. wasm-bindgen sets up each thread's
# thread-locals through the __tls_* exports.
link=""
for arg in --shared-memory --max-memory=4294967296 --import-memory \
  --export=__wasm_init_tls --export=__tls_size --export=__tls_align --export=__tls_base; do
  link="$link -C link-arg=$arg"
done
export RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128$link"
export RUSTC_BOOTSTRAP=1
cargo build --locked --profile wasm --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
  -p worker_threads --target-dir "$target"
mkdir -p "$out"
wasm-bindgen --target no-modules --out-dir "$target/bindgen" --out-name worker_threads \
  "$target/wasm32-unknown-unknown/wasm/worker_threads.wasm"
node_modules/.bin/wasm-opt -Oz --enable-threads --enable-reference-types --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-simd \
  "$target/bindgen/worker_threads_bg.wasm" -o "$out/worker_threads_bg.wasm"
cp "$target/bindgen/worker_threads.js" "$out/"
# A module that fails to instantiate rejects a promise, which the page would never
# hear of; thrown from a task, it is the worker's "error" event, on which the page
# starts the single-thread worker instead.
printf 'importScripts("./worker_threads.js");wasm_bindgen("./worker_threads_bg.wasm").catch((e)=>setTimeout(()=>{throw e;}));' >"$out/worker_threads_loader.js"
