#!/usr/bin/env bash
# OpenID4VCI with a peer we did not write (peer.mjs): installs the pinned npm packages
# (@openid4vc/openid4vci, @openid4vc/oauth2, jose) from package-lock.json when missing, then
# lets the peer wallet redeem pre-authorized offers of `civitas serve --demo`
# (target/debug/civitas, which `cargo test` has built). Nothing is built here.
#
# Usage: interop/openid4vci-peer/run.sh [CIVITAS_BINARY]
# The last line is "N passed, M failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${1:-$TARGET/debug/civitas}"

need() { echo "openid4vci-peer: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

command -v node >/dev/null 2>&1 || need "node not found; install Node.js >= 18"
[ -x "$BIN" ] || need "$BIN not found; run cargo build -p civitas-cli first"
want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
stamp="$HERE/node_modules/.civitas-lock.sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d "$HERE/node_modules/@openid4vc/openid4vci" ]; then
  echo "openid4vci-peer: npm ci in interop/openid4vci-peer" >&2
  log="$(mktemp)"
  if ! (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    need "npm ci failed"
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
fi
exec node "$HERE/peer.mjs" "$BIN"
