#!/usr/bin/env bash
# Installs the pinned JavaScript dependencies of the bbs-2023 interop harness
# (interop/bbs2023-js) with `npm ci`, only when node_modules is missing or was
# installed from a different package-lock.json. Idempotent and quiet: prints
# nothing when there is nothing to do, one line when it installs, npm's output
# only on failure.
#
# Usage: scripts/interop-setup.sh [--force]
# Exit:  0 ready, 1 install failed, 3 node or npm missing / too old.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/interop/bbs2023-js"
STAMP="$DIR/node_modules/.civitas-lock.sha256"
MIN_NODE_MAJOR=18

if ! command -v node >/dev/null 2>&1; then
  echo "interop-setup: 'node' not found on PATH; install Node.js >= $MIN_NODE_MAJOR (e.g. apt-get install nodejs npm)" >&2
  exit 3
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "interop-setup: 'npm' not found on PATH; install npm (e.g. apt-get install npm)" >&2
  exit 3
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt "$MIN_NODE_MAJOR" ]; then
  echo "interop-setup: node $(node --version) is too old; need >= $MIN_NODE_MAJOR" >&2
  exit 3
fi

want="$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)"
have=""
if [ -f "$STAMP" ]; then
  have="$(cat "$STAMP")"
fi
if [ "${1:-}" != "--force" ] && [ "$want" = "$have" ] && [ -d "$DIR/node_modules/@digitalbazaar/bbs-2023-cryptosuite" ]; then
  exit 0
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "interop-setup: npm ci in interop/bbs2023-js" >&2
if ! (cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
  echo "interop-setup: npm ci failed:" >&2
  cat "$log" >&2
  exit 1
fi
echo "$want" >"$STAMP"
