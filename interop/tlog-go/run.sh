#!/usr/bin/env bash
# Transparency logs with a peer we did not write: Go's golang.org/x/mod/sumdb/note and
# sumdb/tlog (from Debian, standard library only, built in GOPATH mode offline) against a
# log made by `civitas log` (target/debug/civitas, which `cargo test` has built):
# Go opens our signed checkpoints, recomputes our tree head from our tiles, checks our
# inclusion and consistency proofs, and makes proofs that we check.
#
# Usage: interop/tlog-go/run.sh [CIVITAS_BINARY]
# Installs golang-go and golang-golang-x-mod-dev with apt-get when missing (as root).
# The last line is "N passed, M failed".
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${1:-$TARGET/debug/civitas}"
GOPKG=/usr/share/gocode

need() { echo "tlog-go: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

[ -x "$BIN" ] || need "$BIN not found; run cargo build -p civitas-cli first"
if ! command -v go >/dev/null 2>&1 || [ ! -d "$GOPKG/src/golang.org/x/mod/sumdb/tlog" ]; then
  [ "$(id -u)" -eq 0 ] || need "Go and x/mod are missing and this is not root: apt-get install golang-go golang-golang-x-mod-dev"
  echo "tlog-go: installing golang-go and golang-golang-x-mod-dev" >&2
  log="$(mktemp)"
  if ! { apt-get install -y -qq golang-go golang-golang-x-mod-dev || { apt-get update -qq && apt-get install -y -qq golang-go golang-golang-x-mod-dev; }; } >"$log" 2>&1; then
    tail -20 "$log" >&2
    need "apt-get install failed"
  fi
  rm -f "$log"
fi
cargo build -q -p civitas-test-vectors --bin tlog-interop || need "cannot build tlog-interop"
INTEROP="$TARGET/debug/tlog-interop"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
L="$WORK/log"
"$BIN" keygen --alg ed25519 -o "$WORK/log.key" >/dev/null 2>&1 || need "keygen failed"
"$BIN" log init --key "$WORK/log.key" --origin civitas.example/go-interop "$L" >/dev/null 2>&1 || need "log init failed"
append() {
  local from="$1" to="$2" files=() i
  for i in $(seq "$from" "$to"); do printf 'entry %d' "$i" >"$WORK/e$i"; files+=("$WORK/e$i"); done
  "$BIN" log append --key "$WORK/log.key" "$L" "${files[@]}" >/dev/null || need "log append failed"
}
# An older tree of 700 entries (its checkpoint kept), then 70,000 in all: full and partial
# tiles at levels 0, 1 and 2.
append 0 699
cp "$L/checkpoint" "$WORK/old-checkpoint"
append 700 35000
append 35001 69999
INDEXES=(0 255 256 699 12345 65535 69999)
"$INTEROP" prove "$L" 700 "${INDEXES[@]}" >"$WORK/ours.json" || need "tlog-interop prove failed"

passed=0; failed=0
count() { # count the ok/FAIL lines of a run's output
  while IFS= read -r line; do
    echo "$line"
    case "$line" in ok*) passed=$((passed + 1)) ;; FAIL*) failed=$((failed + 1)) ;; esac
  done
}
(cd "$HERE" && GO111MODULE=off GOPATH="$GOPKG" GOCACHE="$WORK/gocache" \
  go run peer.go "$L" "$WORK/old-checkpoint" "$WORK/ours.json" "$WORK/go.json" "${INDEXES[@]}" 2>&1) >"$WORK/go.out"
go_rc=$?
count <"$WORK/go.out"
[ "$go_rc" -eq 0 ] || { [ "$failed" -eq 0 ] && failed=$((failed + 1)); }
if [ -f "$WORK/go.json" ]; then
  "$INTEROP" check "$L" <"$WORK/go.json" >"$WORK/check.out" 2>&1
  rc=$?
  count <"$WORK/check.out"
  [ "$rc" -eq 0 ] || { [ "$failed" -eq 0 ] && failed=$((failed + 1)); }
else
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
