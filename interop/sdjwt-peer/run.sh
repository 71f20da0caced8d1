#!/usr/bin/env bash
# SD-JWT VC with peers we did not write (peer.mjs): installs the pinned npm packages
# (@sd-jwt/sd-jwt-vc, @sd-jwt/jwt-status-list, @sd-jwt/crypto-nodejs, jose) from
# package-lock.json when missing, then checks both directions against target/debug/civitas
# (which `cargo test` has built): they verify what we issue and present, we verify what they
# issue and present, with key binding and a token status list.
#
# Usage: interop/sdjwt-peer/run.sh [CIVITAS_BINARY]
# The last line is "N passed, M failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${1:-$TARGET/debug/civitas}"

need() { echo "sdjwt-peer: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

command -v node >/dev/null 2>&1 || need "node not found; install Node.js >= 18"
[ -x "$BIN" ] || need "$BIN not found; run cargo build -p civitas-cli first"
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
stamp="$HERE/node_modules/.civitas-lock.sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d "$HERE/node_modules/@sd-jwt/sd-jwt-vc" ]; then
  echo "sdjwt-peer: npm ci in interop/sdjwt-peer" >&2
  log="$(mktemp)"
  if ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    need "npm ci failed"
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi
exec node "$HERE/peer.mjs" "$BIN"
