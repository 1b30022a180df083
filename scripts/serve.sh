#!/usr/bin/env bash
# Sets up, builds and serves the playground on http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"   # trunk finds npm's wasm-opt here
trunk build
echo "ReasonLab: open http://127.0.0.1:${PORT:-8080}/"
exec node scripts/static-server.mjs dist "${PORT:-8080}"
