#!/usr/bin/env bash
# Installs what building and testing need, skipping whatever is already there
# at the right version. Everything comes from crates.io, npm or Debian's apt.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# std's sources: the CPU worker with threads rebuilds std with wasm atomics
# (scripts/build-threads.sh).
if ! rustup component list --installed | grep -qx rust-src; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (about 5 minutes)"
  # Its lockfile pins a crate version the registry no longer serves, so fall back to fresh resolution.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --locked 2>/dev/null \
    || cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 6 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from apt"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# wasm-opt from npm's binaryen 132: Debian's binaryen 108 mangles the externref
# table that wasm-bindgen emits. playwright-core drives Debian's chromium;
# axe-core checks each lab's accessibility in it.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  say "installing binaryen (wasm-opt), playwright-core and axe-core from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready"
