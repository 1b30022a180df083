#!/usr/bin/env bash
# Writes the playground as a folder any static host can serve, at any path:
#   bash scripts/publish.sh OUT
# then upload OUT (GitHub Pages, object storage, `python3 -m http.server`).
# Every URL in it is relative, and its service worker gives the page the
# headers threads need (COOP/COEP) where the host sends none, and keeps the
# course for offline use. Share links are built from the page's own address.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: bash scripts/publish.sh OUT}"
bash scripts/build.sh
rm -rf "$out"
mkdir -p "$out"
cp -r dist/. "$out/"
rm -f "$out/.built"
# Brotli copies beside the gzip ones: about a third smaller for the modules.
node scripts/finish-site.mjs "$out" --brotli
# GitHub Pages would otherwise run Jekyll over the folder.
touch "$out/.nojekyll"
echo "published to $out: $(du -sh "$out" | cut -f1), $(find "$out" -type f | wc -l) files; serve it from any path"
