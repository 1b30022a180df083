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
# Whether a file among the paths given (then find's own tests) changed since
# the last build; editors' swap and backup files do not count.
changed() { [[ ! -f $stamp ]] || [[ -n "$(find "$@" -type f -not -name '*.sw?' -not -name '*~' -newer "$stamp" -print -quit)" ]]; }
finished_by=(www/sw.js www/offline.js www/gpu-watch.js scripts/finish-site.mjs scripts/site-policy.mjs)
# The build's time is when it starts: a file saved while it runs is newer.
started=$(mktemp)
trap 'rm -f "$started"' EXIT
if [[ "${FORCE:-0}" == 1 ]] || changed src data index.html Cargo.toml Cargo.lock Trunk.toml .cargo scripts/build.sh \
  scripts/build-threads.sh www -not -path www/sw.js -not -path www/offline.js -not -path www/gpu-watch.js; then
  rm -f "$stamp"
  trunk build
elif ! changed "${finished_by[@]}"; then
  echo "dist/ is up to date (built $(date -r "$stamp" '+%F %T')); FORCE=1 rebuilds"
  exit 0
fi
node scripts/finish-site.mjs dist
touch -r "$started" "$stamp"
