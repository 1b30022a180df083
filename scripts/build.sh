#!/usr/bin/env bash
# Builds the site into dist/: `trunk build` (which builds the threaded worker
# too, Trunk.toml's hook), then scripts/finish-site.mjs (relative URLs, the
# CSP, the service worker, compressed copies). Each step is skipped when
# dist/ is newer than everything it is made from, so `scripts/serve.sh`
# starts in a second when nothing changed, and a change to the service
# worker or the policy alone takes a second too; FORCE=1 builds anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"   # trunk finds npm's wasm-opt here
stamp=dist/.built
# Whether anything among the paths given (find's own arguments) changed since the last build.
changed() { [[ ! -f $stamp ]] || [[ -n "$(find "$@" -newer "$stamp" -print -quit)" ]]; }
finished_by=(www/sw.js www/offline.js scripts/finish-site.mjs scripts/site-policy.mjs)
if [[ "${FORCE:-0}" == 1 ]] || changed src data index.html Cargo.toml Cargo.lock Trunk.toml .cargo scripts/build.sh \
  scripts/build-threads.sh www -not -path www/sw.js -not -path www/offline.js; then
  rm -f "$stamp"
  trunk build
elif ! changed "${finished_by[@]}"; then
  echo "dist/ is up to date (built $(date -r "$stamp" '+%F %T')); FORCE=1 rebuilds"
  exit 0
fi
node scripts/finish-site.mjs dist
touch "$stamp"
