#!/usr/bin/env bash
# Regenerates the UniFFI bindings of civitas-ffi for Kotlin, Swift and Python.
#
#   bindings/generate.sh            writes bindings/{kotlin,swift,python}/ (commit the result)
#   bindings/generate.sh OUT_DIR    writes OUT_DIR/{kotlin,swift,python}/ instead
#
# Builds the debug library (target/debug/libcivitas_ffi.so; target/ is $CARGO_TARGET_DIR when
# set) and the generator (bindings/uniffi-bindgen, its own crate with uniffi's `cli` feature,
# built into target/uniffi-bindgen), then runs the generator in library mode: the API comes from the
# metadata the proc-macros compiled into the library. `--no-format`: ktlint and swift-format
# are not needed, and the output does not depend on whether they are installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/bindings}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

cargo build -q --manifest-path "$ROOT/Cargo.toml" -p civitas-ffi
cargo build -q --locked --manifest-path "$ROOT/bindings/uniffi-bindgen/Cargo.toml" \
  --target-dir "$TARGET/uniffi-bindgen"

LIB="$TARGET/debug/libcivitas_ffi.so"
BINDGEN="$TARGET/uniffi-bindgen/debug/uniffi-bindgen"
for lang in kotlin swift python; do
  mkdir -p "$OUT/$lang"
  "$BINDGEN" generate --library "$LIB" --language "$lang" --no-format --out-dir "$OUT/$lang" >/dev/null
done
