#!/usr/bin/env bash
# Sets up, builds and serves the playground on http://127.0.0.1:8080
# (the build is skipped when nothing changed since the last one).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "ReasonLab: open http://127.0.0.1:${PORT:-8080}/"
exec node scripts/static-server.mjs dist "${PORT:-8080}"
