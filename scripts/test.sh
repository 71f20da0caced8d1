#!/usr/bin/env bash
# Runs every test of Civitas, installing what the tests need. This is the command the README
# gives and the one .ci/run calls.
#
#   ./scripts/test.sh            everything
#   ./scripts/test.sh --quick    skip the bindings and JavaScript interop steps (no JVM or node needed)
#
# Steps (the fuzzing smoke pass runs with the bindings and interop steps, not with --quick):
# formatting check, clippy with -D warnings, a warning-free doc build, the Rust test suites of every crate (unit, conformance against
# ../shared/vectors, differential against zkryptium, bad input), a compile check of the
# benchmarks, the dependency policy (cargo deny), the mobile bindings (Python, Kotlin, Swift ABI), and bbs-2023
# interop with the JavaScript implementation (its harness self-test, then our proofs there and
# theirs here), and the `civitas serve` desk page driven in headless Chromium.
# The last line is "N passed, N failed" over all test cases run.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1

LOG="$(mktemp -d)"
trap 'rm -rf "$LOG"' EXIT
passed=0
failed=0
failed_steps=()

step() { printf '\n==> %s\n' "$1"; }
fail_step() { failed_steps+=("$1"); }
# suite_step TITLE SCRIPT LOG NAME: run a script whose last line is "N passed, M failed" and
# count its checks; a nonzero exit with no failure counted still counts one.
suite_step() {
  step "$1"
  bash "$2" 2>&1 | tee "$LOG/$3"
  local rc=${PIPESTATUS[0]} p f
  read -r p f < <(tail -n 1 "$LOG/$3" | awk '{ print $1+0, $3+0 }')
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ]; then
    [ "$f" -eq 0 ] && failed=$((failed + 1))
    fail_step "$4"
  fi
}

if [ -z "${CIVITAS_VECTORS:-}" ] && [ ! -d "$ROOT/../shared/vectors" ]; then
  echo "test.sh: upstream vectors not found at ../shared/vectors; set CIVITAS_VECTORS" >&2
  echo "0 passed, 1 failed"
  exit 2
fi

step "cargo fmt --check"
if cargo fmt --all -- --check >"$LOG/fmt" 2>&1; then
  echo "formatted"
else
  head -40 "$LOG/fmt"
  echo "run: cargo fmt --all"
  failed=$((failed + 1))
  fail_step "formatting"
fi

step "cargo clippy --workspace --all-targets -- -D warnings"
if cargo clippy -q --workspace --all-targets -- -D warnings >"$LOG/clippy" 2>&1; then
  echo "no lint"
  passed=$((passed + 1))
else
  head -80 "$LOG/clippy"
  failed=$((failed + 1))
  fail_step "clippy"
fi

step "cargo doc --no-deps (warnings are errors)"
if RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --no-deps >"$LOG/doc" 2>&1; then
  echo "documented"
  passed=$((passed + 1))
else
  head -60 "$LOG/doc"
  failed=$((failed + 1))
  fail_step "rustdoc"
fi

# Two invocations, so that the CLI and the FFI are tested against core as it ships: core's
# `dangerous-test-vectors` feature (fixed randomness, to reproduce fixtures) is enabled by
# core's own dev-dependency and the conformance crate only, and one `cargo test --workspace`
# would unify it into every crate. `--no-fail-fast`: a failing test binary does not hide the
# binaries after it.
step "cargo test: the CLI and the FFI (core as shipped)"
cargo test --no-fail-fast --workspace --exclude civitas-core --exclude civitas-test-vectors 2>&1 | tee "$LOG/cargo-test"
rc=${PIPESTATUS[0]}
step "cargo test: core and the conformance crate (with dangerous-test-vectors)"
cargo test --no-fail-fast -p civitas-core -p civitas-test-vectors 2>&1 | tee -a "$LOG/cargo-test"
rc2=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] && rc=$rc2
# Sum "test result: ok. N passed; M failed" over every test binary.
read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } } END { print p+0, f+0 }' "$LOG/cargo-test")
passed=$((passed + p))
failed=$((failed + f))
if [ "$rc" -ne 0 ]; then
  [ "$f" -eq 0 ] && failed=$((failed + 1))
  fail_step "cargo test"
fi

step "resource limits: hostile inputs get a verdict or an error, never a crash (smoke)"
if python3 scripts/limits.py --smoke --bin target/debug/civitas 2>&1 | tee "$LOG/limits" | tail -n 1 | grep -q " 0 failed$"; then
  cat "$LOG/limits"
  passed=$((passed + 1))
else
  cat "$LOG/limits"
  failed=$((failed + 1))
  fail_step "resource limits"
fi

# The conformance suites ran once above, as the tests of civitas-test-vectors (with their
# expected counts); the `conformance` report command is tested there on one suite. For the
# whole table: cargo run -p civitas-test-vectors --bin conformance

step "benchmarks compile"
if cargo check -q --workspace --benches; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  fail_step "benchmarks compile"
fi

if [ "$QUICK" -eq 0 ]; then
  suite_step "dependency policy (cargo deny check licenses bans sources; deny.toml)" scripts/deny.sh deny "dependency policy"

  suite_step "bindings (Python, Kotlin on the JVM, Swift ABI, up to date)" bindings/test.sh bindings "bindings"

  step "fuzzing smoke pass (every cargo-fuzz target a few seconds; scripts/fuzz.sh SECONDS for real runs)"
  bash scripts/fuzz.sh --smoke 2>&1 | tee "$LOG/fuzz" | tail -n 25
  if [ "${PIPESTATUS[0]}" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    fail_step "fuzz smoke"
  fi

  suite_step "the desk page in headless Chromium, answered by the CLI holder (screenshots in target/browser-artifacts)" interop/desk-browser/run.sh browser "desk browser test"

  suite_step "OpenID4VP with a peer we did not write (@openid4vc/openid4vp wallet, dcql oracle)" interop/openid4vp-peer/run.sh peer "openid4vp peer"
  suite_step "OpenID4VCI with a peer we did not write (@openid4vc/openid4vci wallet redeems our offers)" interop/openid4vci-peer/run.sh vci-peer "openid4vci peer"
  suite_step "SD-JWT VC with peers we did not write (@sd-jwt/sd-jwt-vc and @sd-jwt/jwt-status-list, both ways)" interop/sdjwt-peer/run.sh sdjwt-peer "sdjwt peer"
  suite_step "transparency logs with a peer we did not write (Go's sumdb/note and sumdb/tlog, both ways)" interop/tlog-go/run.sh tlog-go "tlog go peer"

  suite_step "bbs-2023 JavaScript interop harness self-test" interop/bbs2023-js/selftest.sh interop "interop self-test"

  step "bbs-2023 interop both ways with the JavaScript implementation"
  cargo test -p civitas-test-vectors --test it interop_js:: -- --ignored 2>&1 | tee "$LOG/interop-rs"
  rc=${PIPESTATUS[0]}
  read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } } END { print p+0, f+0 }' "$LOG/interop-rs")
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ]; then
    [ "$f" -eq 0 ] && failed=$((failed + 1))
    fail_step "interop tests"
  fi
fi

echo
if [ "${#failed_steps[@]}" -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "${#failed_steps[@]}" -eq 0 ]
