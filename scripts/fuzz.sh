#!/usr/bin/env bash
# Fuzz every decoder with cargo-fuzz (libFuzzer + AddressSanitizer), one target after another,
# on one core.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   run each target (or only those named) SECONDS
#                                           (default 600)
#   scripts/fuzz.sh --smoke                 replay fuzz/regressions/, then run each target 5
#                                           seconds (CI)
#
# Needs cargo-fuzz (installed from crates.io if missing). On a stable toolchain the nightly-only
# flags cargo-fuzz passes (-Zsanitizer=address, ...) are allowed through RUSTC_BOOTSTRAP=1.
# Seeds are read from fuzz/corpus/<target>/ (checked in); what a run finds goes to a scratch
# corpus under fuzz/target/ so that the checked-in seeds stay small. Crashes land in
# fuzz/artifacts/<target>/. A summary is printed and written to fuzz/target/fuzz-summary.txt.
# Exits 1 when any target crashed (or a regression input failed), 2 on a build failure.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_PER_TARGET=600
SMOKE=0
case "${1:-}" in
    --smoke) SMOKE=1; SECONDS_PER_TARGET=5 ;;
    "") ;;
    *[!0-9]*) echo "usage: $0 [SECONDS|--smoke]" >&2; exit 64 ;;
    *) SECONDS_PER_TARGET=$1 ;;
esac
[ $# -gt 0 ] && shift
ONLY="$*"

export RUSTC_BOOTSTRAP=1
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    nice cargo install cargo-fuzz --locked || { echo "cargo install cargo-fuzz failed" >&2; exit 2; }
fi

TARGETS=$(cargo fuzz list --fuzz-dir fuzz | grep -vx make_seeds) || { echo "cargo fuzz list failed" >&2; exit 2; }
if [ -n "$ONLY" ]; then
    for t in $ONLY; do
        echo "$TARGETS" | grep -qx "$t" || { echo "no fuzz target $t (cargo fuzz list --fuzz-dir fuzz)" >&2; exit 64; }
    done
    TARGETS=$ONLY
fi

echo "== building $(echo "$TARGETS" | wc -w) targets (release + debug assertions and overflow checks, ASan)"
build_start=$(date +%s)
nice cargo fuzz build -O --debug-assertions --fuzz-dir fuzz || { echo "build failed" >&2; exit 2; }
echo "== build took $(( $(date +%s) - build_start ))s"

BIN_DIR=$ROOT/fuzz/target/x86_64-unknown-linux-gnu/release
LOG_DIR=$ROOT/fuzz/target/fuzz-logs
SCRATCH=$ROOT/fuzz/target/fuzz-corpus
mkdir -p "$LOG_DIR" "$SCRATCH"
SUMMARY=$ROOT/fuzz/target/fuzz-summary.txt
failed=0

# Every file under fuzz/regressions/<target>/ is an input that once crashed: replay them all.
regress_fail=0
for dir in fuzz/regressions/*/; do
    [ -d "$dir" ] || continue
    t=$(basename "$dir")
    files=$(find "$dir" -type f | sort)
    [ -n "$files" ] || continue
    # shellcheck disable=SC2086
    if ! "$BIN_DIR/$t" -runs=1 $files >"$LOG_DIR/$t.regressions.log" 2>&1; then
        echo "REGRESSION FAILED: $t (see $LOG_DIR/$t.regressions.log)"
        regress_fail=1
    fi
done
[ "$regress_fail" = 0 ] && echo "== regressions replayed: all pass"
[ "$regress_fail" = 0 ] || failed=1

{
    printf '%-22s %6s %12s %9s %8s %9s %8s\n' target seconds executions exec/s cov ft crashes
} >"$SUMMARY"

for t in $TARGETS; do
    mkdir -p "$SCRATCH/$t" "fuzz/artifacts/$t" "fuzz/corpus/$t"
    log=$LOG_DIR/$t.log
    before=$(find "fuzz/artifacts/$t" -type f | wc -l)
    echo "== $t: ${SECONDS_PER_TARGET}s"
    start=$(date +%s)
    # With -jobs=1 libFuzzer fuzzes in one child process and writes its output to
    # fuzz-0.log in the working directory (then prints it): run it in the log directory.
    mkdir -p "$LOG_DIR/$t.work"
    (cd "$LOG_DIR/$t.work" && nice -n 19 "$BIN_DIR/$t" "$SCRATCH/$t" "$ROOT/fuzz/corpus/$t" \
        -max_total_time="$SECONDS_PER_TARGET" -jobs=1 -workers=1 -rss_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$ROOT/fuzz/artifacts/$t/") >"$log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    after=$(find "fuzz/artifacts/$t" -type f | wc -l)
    crashes=$(( after - before ))
    [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    # The last status line (`#N ... cov: C ft: F ...`) has the final coverage and features.
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    printf '%-22s %6s %12s %9s %8s %9s %8s\n' "$t" "$secs" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "$crashes" >>"$SUMMARY"
    if [ "$crashes" -ne 0 ]; then
        failed=1
        echo "   CRASH in $t (rc $rc): $(grep -m1 -E 'panicked|ERROR: (AddressSanitizer|libFuzzer)' "$log")"
        ls "fuzz/artifacts/$t"
    fi
done

echo
echo "== summary (also in $SUMMARY)"
cat "$SUMMARY"
exit "$failed"
