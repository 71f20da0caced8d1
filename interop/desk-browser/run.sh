#!/usr/bin/env bash
# The desk page in headless Chromium (desk.mjs): installs what it needs (Debian's chromium
# when /usr/bin/chromium is missing and apt-get can run; playwright-core from the pinned
# package-lock.json), builds nothing itself (it uses target/debug/civitas, which
# `cargo test` has built), and saves the screenshots in target/browser-artifacts/.
#
# Usage: interop/desk-browser/run.sh [CIVITAS_BINARY]
# The last line is "N passed, M failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="${1:-$ROOT/target/debug/civitas}"
ARTIFACTS="$ROOT/target/browser-artifacts"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

need() { echo "desk-browser: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

command -v node >/dev/null 2>&1 || need "node not found; install Node.js >= 18"
[ -x "$BIN" ] || need "$BIN not found; run cargo build -p civitas-cli first"
if [ ! -x "$CHROMIUM" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "desk-browser: installing Debian's chromium" >&2
    log="$(mktemp)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
      tail -20 "$log" >&2
      need "apt-get install chromium failed"
    fi
    rm -f "$log"
  else
    need "$CHROMIUM not found (apt-get install chromium, or set CHROMIUM)"
  fi
fi
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
stamp="$HERE/node_modules/.civitas-lock.sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d "$HERE/node_modules/playwright-core" ]; then
  echo "desk-browser: npm ci in interop/desk-browser" >&2
  log="$(mktemp)"
  if ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    need "npm ci failed"
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi
CHROMIUM="$CHROMIUM" exec node "$HERE/desk.mjs" "$BIN" "$ARTIFACTS"
