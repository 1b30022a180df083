#!/usr/bin/env bash
# Runs every test: native unit and lab tests, then the built site in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"   # trunk finds npm's wasm-opt here
echo "== native tests (CPU backend)"
cargo test --locked --no-fail-fast
echo "== building the site"
bash scripts/build.sh
echo "== browser tests (headless Chromium; WebGPU through SwiftShader)"
node --test --test-reporter=spec tests/browser/server.test.mjs tests/browser/site.test.mjs
