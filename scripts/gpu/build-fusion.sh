#!/usr/bin/env bash
# Builds the site a second time into dist-fusion/ with burn's fusion and autotune in
# the WebGPU worker, for the side-by-side on a real GPU (BENCHMARKS.md, "On a real
# GPU"). The shipped site (dist/) is unchanged.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
sed 's|href="www/worker/Cargo.toml" data-type="worker"|href="www/worker/Cargo.toml" data-cargo-features="fusion" data-type="worker"|' \
  index.html > index-fusion.html
trap 'rm -f index-fusion.html' EXIT
grep -q 'data-cargo-features="fusion"' index-fusion.html
trunk build index-fusion.html --dist dist-fusion
mv dist-fusion/index-fusion.html dist-fusion/index.html 2>/dev/null || true
ls -la dist-fusion
