#!/usr/bin/env bash
# Self-test of the bbs-2023 JS interop harness against the W3C vc-di-bbs
# vectors (read in place from $CIVITAS_VECTORS or ../shared/vectors beside
# the repository; never copied). Last line: "N passed, N failed".
# Exit: 0 all passed, 1 some failed, 2 setup problem.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VECTORS="${CIVITAS_VECTORS:-$ROOT/../shared/vectors}"
TV="$VECTORS/vc-di-bbs/TestVectors"
CLI=(node "$HERE/bbs2023.mjs")

if [ ! -f "$TV/derivedRevealDocument.json" ]; then
  echo "selftest: W3C vectors not found at $TV (set CIVITAS_VECTORS)" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
if ! "$ROOT/scripts/interop-setup.sh"; then
  echo "selftest: dependency setup failed" >&2
  echo "0 passed, 1 failed"
  exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "       $2"; }

# expect NAME EXIT [JSON-CHECK] -- CMD...: run CMD, compare its exit code;
# JSON-CHECK (optional) is a JS expression over `r`, the stdout JSON line
expect() {
  local name="$1" want="$2" check="" out rc
  shift 2
  if [ "$1" != "--" ]; then check="$1"; shift; fi
  shift
  out="$("$@" 2>"$TMP/stderr")"
  rc=$?
  if [ "$rc" != "$want" ]; then
    bad "$name" "exit $rc, expected $want: $(printf '%s' "$out" | head -c 400) $(head -c 400 "$TMP/stderr")"
    return
  fi
  if [ -n "$check" ] && ! printf '%s' "$out" | node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
      process.exit(new Function("r", "return (" + process.argv[1] + ");")(r) ? 0 : 1);' \
      "$check" 2>/dev/null; then
    bad "$name" "result check failed ($check): $(printf '%s' "$out" | head -c 400)"
    return
  fi
  ok "$name"
}

# jsonmod IN OUT JS: write IN modified by JS statement(s) over `d` to OUT
jsonmod() {
  node -e '
    const fs = require("fs");
    const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    (new Function("d", process.argv[3]))(d);
    fs.writeFileSync(process.argv[2], JSON.stringify(d, null, 2));' "$1" "$2" "$3"
}

# same_reveal NAME A B: A and B have the same JSON apart from proof.proofValue
# (and key order)
same_reveal() {
  if node -e '
    const fs = require("fs");
    const norm = v => Array.isArray(v) ? v.map(norm) : (v && typeof v === "object") ?
      Object.fromEntries(Object.keys(v).sort().map(k => [k, norm(v[k])])) : v;
    const load = f => { const d = JSON.parse(fs.readFileSync(f, "utf8"));
      delete d.proof.proofValue; delete d.proof.created; return JSON.stringify(norm(d)); };
    process.exit(load(process.argv[1]) === load(process.argv[2]) ? 0 : 1);' "$2" "$3"; then
    ok "$1"
  else
    bad "$1" "$2 and $3 differ beyond proofValue/created"
  fi
}

PH=113377aa

echo "# baseline (windsurf) vectors"
expect "verify W3C derivedRevealDocument" 0 'r.verified === true && r.proofKind === "derived"' -- \
  "${CLI[@]}" verify "$TV/derivedRevealDocument.json"
expect "verify W3C derivedRevealDocument, expected presentation header" 0 'r.presentationHeader === "113377aa"' -- \
  "${CLI[@]}" verify "$TV/derivedRevealDocument.json" --presentation-header "$PH"
expect "verify W3C derivedRevealDocument, wrong presentation header -> 1" 1 'r.verified === false' -- \
  "${CLI[@]}" verify "$TV/derivedRevealDocument.json" --presentation-header 00
jsonmod "$TV/derivedRevealDocument.json" "$TMP/tamper-mandatory.json" 'd.credentialSubject.sailNumber = "Earth102"'
expect "verify rejects tampered mandatory value (sailNumber)" 1 'r.verified === false' -- \
  "${CLI[@]}" verify "$TMP/tamper-mandatory.json"
jsonmod "$TV/derivedRevealDocument.json" "$TMP/tamper-selective.json" 'd.credentialSubject.boards[1].brand = "Naish"'
expect "verify rejects tampered selective value (boards[1].brand)" 1 'r.verified === false' -- \
  "${CLI[@]}" verify "$TMP/tamper-selective.json"
jsonmod "$TV/derivedRevealDocument.json" "$TMP/tamper-proof.json" 'd.proof.created = "2024-01-01T00:00:00Z"'
expect "verify rejects changed proof options (created)" 1 'r.verified === false' -- \
  "${CLI[@]}" verify "$TMP/tamper-proof.json"
expect "verify on W3C base proof reports base and checks it" 0 'r.proofKind === "base" && r.verified === true' -- \
  "${CLI[@]}" verify "$TV/addSignedSDBase.json"
jsonmod "$TV/addSignedSDBase.json" "$TMP/tamper-base.json" 'd.credentialSubject.sails[3].size = 9.9'
expect "base check rejects tampered non-mandatory value" 1 'r.proofKind === "base" && r.verified === false' -- \
  "${CLI[@]}" verify "$TMP/tamper-base.json"

expect "derive from W3C addSignedSDBase with windSelective" 0 'r.ok === true' -- \
  "${CLI[@]}" derive "$TV/addSignedSDBase.json" --reveal "$TV/windSelective.json" \
  --presentation-header "$PH" -o "$TMP/derived.json"
expect "verify that derived document" 0 'r.verified === true && r.presentationHeader === "113377aa"' -- \
  "${CLI[@]}" verify "$TMP/derived.json"
same_reveal "derived document discloses the same JSON as W3C derivedRevealDocument" \
  "$TMP/derived.json" "$TV/derivedRevealDocument.json"

expect "sign windDoc with W3C key and windMandatory" 0 'r.ok === true' -- \
  "${CLI[@]}" sign "$TV/windDoc.json" --key "$TV/BBSKeyMaterial.json" \
  --mandatory "$TV/windMandatory.json" -o "$TMP/signed.json"
expect "base check of our signed document" 0 'r.proofKind === "base" && r.verified === true' -- \
  "${CLI[@]}" verify "$TMP/signed.json"
expect "derive from our signed document" 0 'r.ok === true' -- \
  "${CLI[@]}" derive "$TMP/signed.json" --reveal "$TV/windSelective.json" -o "$TMP/signed-derived.json"
expect "verify derived-from-our-signature document" 0 'r.verified === true && r.presentationHeader === ""' -- \
  "${CLI[@]}" verify "$TMP/signed-derived.json"
same_reveal "sign+derive discloses the same JSON as W3C derivedRevealDocument" \
  "$TMP/signed-derived.json" "$TV/derivedRevealDocument.json"

echo "# permanent resident card (prc) vectors"
expect "verify W3C prc derivedRevealDocument" 0 'r.verified === true' -- \
  "${CLI[@]}" verify "$TV/prc/derivedRevealDocument.json"
expect "derive from W3C prc base with prCredSelective" 0 'r.ok === true' -- \
  "${CLI[@]}" derive "$TV/prc/addSignedSDBase.json" --reveal "$TV/prCredSelective.json" \
  --presentation-header "$PH" -o "$TMP/prc-derived.json"
expect "verify that prc derived document" 0 'r.verified === true' -- \
  "${CLI[@]}" verify "$TMP/prc-derived.json"
expect "sign prCredUnsigned with W3C key and prCredMandatory" 0 'r.ok === true' -- \
  "${CLI[@]}" sign "$TV/prCredUnsigned.json" --key "$TV/BBSKeyMaterial.json" \
  --mandatory "$TV/prCredMandatory.json" -o "$TMP/prc-signed.json"
expect "derive + verify prc from our signature" 0 'r.ok === true' -- \
  "${CLI[@]}" derive "$TMP/prc-signed.json" --reveal "$TV/prCredSelective.json" -o "$TMP/prc-signed-derived.json"
expect "verify prc derived-from-our-signature document" 0 'r.verified === true' -- \
  "${CLI[@]}" verify "$TMP/prc-signed-derived.json"

echo "# errors are exit 2, not verification failures"
jsonmod "$TV/derivedRevealDocument.json" "$TMP/unknown-context.json" 'd["@context"].push("https://example.invalid/ctx/v1")'
expect "unknown context URL -> 2, naming the URL" 2 'r.url === "https://example.invalid/ctx/v1"' -- \
  "${CLI[@]}" verify "$TMP/unknown-context.json"
expect "pseudonym (non-baseline) proof -> 2, unsupported" 2 '/baseline/.test(r.error)' -- \
  "${CLI[@]}" verify "$TV/Pseudonym/derivedRevealDocument.json"
expect "derive from a derived proof -> 2" 2 'r.ok === false' -- \
  "${CLI[@]}" derive "$TV/derivedRevealDocument.json" --reveal "$TV/windSelective.json" -o "$TMP/x.json"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
