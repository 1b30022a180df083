#!/usr/bin/env bash
# Builds the site into dist/: `trunk build` (which builds the threaded worker
# too, Trunk.toml's hook), then scripts/finish-site.mjs (relative URLs, the
# CSP, the service worker, compressed copies). Skipped when dist/ is newer
# than everything it is built from, so `scripts/serve.sh` starts in seconds
# when nothing changed; FORCE=1 builds anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"   # trunk finds npm's wasm-opt here
inputs=(src www data index.html Cargo.toml Cargo.lock Trunk.toml .cargo scripts/build.sh scripts/build-threads.sh
  scripts/finish-site.mjs scripts/site-policy.mjs)
stamp=dist/.built
if [[ "${FORCE:-0}" != 1 && -f $stamp && -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit)" ]]; then
  echo "dist/ is up to date (built $(date -r "$stamp" '+%F %T')); FORCE=1 rebuilds"
  exit 0
fi
rm -f "$stamp"
trunk build
node scripts/finish-site.mjs dist
touch "$stamp"
