#!/usr/bin/env bash
# OpenID4VP with a peer we did not write (peer.mjs): installs the pinned npm packages
# (@openid4vc/openid4vp, dcql, jose) from package-lock.json when missing, builds the
# dcql-eval filter, and runs the DCQL oracle table and the peer wallet against
# `civitas serve --demo` (target/debug/civitas, which `cargo test` has built).
#
# Usage: interop/openid4vp-peer/run.sh [CIVITAS_BINARY]
# The last line is "N passed, M failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${1:-$TARGET/debug/civitas}"

need() { echo "openid4vp-peer: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

command -v node >/dev/null 2>&1 || need "node not found; install Node.js >= 18"
[ -x "$BIN" ] || need "$BIN not found; run cargo build -p civitas-cli first"
cargo build -q -p civitas-test-vectors --bin dcql-eval || need "cannot build dcql-eval"
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
stamp="$HERE/node_modules/.civitas-lock.sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d "$HERE/node_modules/@openid4vc/openid4vp" ]; then
  echo "openid4vp-peer: npm ci in interop/openid4vp-peer" >&2
  log="$(mktemp)"
  if ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    need "npm ci failed"
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi
exec node "$HERE/peer.mjs" "$BIN" "$TARGET/debug/dcql-eval"
