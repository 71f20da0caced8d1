#!/usr/bin/env bash
# Tests the UniFFI bindings of civitas-ffi from each language, installing what is missing.
#
#   bindings/test.sh
#
# 1. builds the debug library target/debug/libcivitas_ffi.so (once, used by every step);
# 2. checks that the committed bindings are what bindings/generate.sh produces;
# 3. Python: bindings/python/test_civitas.py with plain python3;
# 4. Kotlin: compiles the generated bindings with the real kotlinc against JNA (cached in
#    bindings/build/kotlin while the generated source and the compiler are unchanged), then
#    runs bindings/kotlin/CivitasTest.kts on the JVM with assertions enabled (-ea);
# 5. Swift (no Swift toolchain here): the header's functions are all exported by the library,
#    and the Swift file's API checksums equal the library's (bindings/swift/abi_check.py).
#
# Installs when missing: kotlin-compiler (npm, pinned, into $CIVITAS_TOOLS, default
# ~/.cache/civitas), and Debian's libjna-java and a Java runtime (apt-get; needs root, as on CI).
# The last line is "N passed, N failed" over all checks; the exit status is non-zero if any
# check or step failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
KOTLIN_VERSION="2.4.20"
TOOLS="${CIVITAS_TOOLS:-$HOME/.cache/civitas}"
KOTLIN_HOME="$TOOLS/kotlin-compiler-$KOTLIN_VERSION/node_modules/kotlin-compiler"
JNA_JAR="/usr/share/java/jna.jar"
BUILD="$ROOT/bindings/build"
LIB="${CARGO_TARGET_DIR:-$ROOT/target}/debug/libcivitas_ffi.so"
LOG="$(mktemp -d)"
trap 'rm -rf "$LOG"' EXIT
mkdir -p "$BUILD"

passed=0
failed=0
failed_steps=()
step() { printf '\n==> %s\n' "$1"; }

# suite NAME CMD...: runs a test program whose last line is "N passed, N failed".
suite() {
  local name="$1"
  shift
  "$@" 2>&1 | tee "$LOG/suite"
  local rc=${PIPESTATUS[0]} p f
  read -r p f < <(tail -n 1 "$LOG/suite" | awk '$2 == "passed," && $4 == "failed" { print $1, $3; next } { print 0, 0 }')
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ]; then
    [ "$f" -eq 0 ] && failed=$((failed + 1))
    failed_steps+=("$name")
  fi
}

# single NAME CMD...: one check that passes if CMD exits 0.
single() {
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_steps+=("$name")
  fi
}

finish() {
  echo
  [ "${#failed_steps[@]}" -gt 0 ] && echo "failed steps: ${failed_steps[*]}"
  echo "${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ] && [ "${#failed_steps[@]}" -eq 0 ]
  exit
}

step "build libcivitas_ffi (debug)"
if ! cargo build -q -p civitas-ffi; then
  failed=$((failed + 1))
  failed_steps+=("build")
  finish
fi

step "test credential: a diploma signed with the civitas command"
# The wallet and verifier checks use a real bbs-2023 credential, issued here by the CLI with
# a fresh key, and a trust file naming that key's DID. Passed to the tests by environment.
DATA="$LOG/data"
CLI="${CARGO_TARGET_DIR:-$ROOT/target}/debug/civitas"
export CIVITAS_TEST_CONTEXT_URL="https://civitas.example/contexts/diploma/v1"
export CIVITAS_TEST_CONTEXT_FILE="$ROOT/cli/data/civitas.example_contexts_diploma_v1.jsonld"
export CIVITAS_TEST_CREDENTIAL="$DATA/signed.json"
export CIVITAS_TEST_TRUST="$DATA/trust.toml"
# To issue a diploma to a wallet's own DID (the identified kind of presentation), the
# scenarios run the same command with these.
export CIVITAS_TEST_CLI="$CLI"
export CIVITAS_TEST_ISSUER_KEY="$DATA/uni.key"
export CIVITAS_TEST_MANDATORY="$DATA/mandatory.json"
export CIVITAS_TEST_UNSIGNED="$ROOT/cli/data/diploma.json"
mkdir -p "$DATA"
prepare_data() {
  local ctx="$CIVITAS_TEST_CONTEXT_URL=$CIVITAS_TEST_CONTEXT_FILE"
  cargo build -q -p civitas-cli &&
    "$CLI" --context "$ctx" keygen --alg bbs -o "$DATA/uni.key" >/dev/null 2>&1 &&
    echo '[]' >"$DATA/mandatory.json" &&
    "$CLI" --context "$ctx" issue --key "$DATA/uni.key" --mandatory "$DATA/mandatory.json" \
      cli/data/diploma.json -o "$CIVITAS_TEST_CREDENTIAL" >/dev/null 2>&1 &&
    did="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["controller"])' "$DATA/uni.key")" &&
    printf '[[issuer]]\ndid = "%s"\nname = "University of Civitas"\ncredential_types = ["UniversityDegreeCredential"]\n' \
      "$did" >"$CIVITAS_TEST_TRUST"
}
single "test credential" prepare_data

step "a desk for the OpenID4VP scenarios: civitas serve on loopback"
# The Python and Kotlin scenarios answer this desk's checks over HTTP, as a phone would.
DESK_PID=""
start_desk() {
  # The desk signs its requests as HAIP verifiers do (x509_hash: with an x5c chain under a
  # test CA the scenarios trust).
  "$CLI" keygen --alg p256 -o "$DATA/desk.key" >/dev/null 2>&1 &&
    "$CLI" keygen --alg p256 -o "$DATA/verifier-ca.key" >/dev/null 2>&1 &&
    "$CLI" cert ca --key "$DATA/verifier-ca.key" --name "CN=Test Verifier CA" --force -o "$DATA/verifier-ca.pem" 2>/dev/null &&
    "$CLI" cert issue --ca-key "$DATA/verifier-ca.key" --ca-cert "$DATA/verifier-ca.pem" --key "$DATA/desk.key" \
      --name "CN=Test Desk" --dns localhost --force -o "$DATA/desk-chain.pem" 2>/dev/null &&
    export CIVITAS_TEST_VERIFIER_CA="$DATA/verifier-ca.pem" &&
    cp "$CIVITAS_TEST_TRUST" "$DATA/desk-trust.toml" &&
    printf '\n[[context]]\nurl = "%s"\nfile = "%s"\n' "$CIVITAS_TEST_CONTEXT_URL" "$CIVITAS_TEST_CONTEXT_FILE" >>"$DATA/desk-trust.toml" &&
    printf '{"credentials": [{"id": "diploma", "format": "ldp_vc", "meta": {"type_values": [["https://civitas.example/vocab#UniversityDegreeCredential"]]}, "claims": [{"path": ["credentialSubject", "degree", "name"]}]}]}\n' >"$DATA/diploma-query.json" &&
    printf 'key = "desk.key"\ncertificate = "desk-chain.pem"\ntrust = "desk-trust.toml"\n\n[[check]]\nname = "diploma"\ntitle = "University diploma"\ndcql_file = "diploma-query.json"\n' >"$DATA/desk.toml" &&
    # The same service issues diplomas over OpenID4VCI (the scenarios redeem offers made
    # through its admin endpoint), signed with the key the desk trusts.
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d.pop("id", None); s = d["credentialSubject"]; s.pop("id", None)
s["givenName"] = "{{given_name}}"; s["familyName"] = "{{family_name}}"
json.dump(d, open(sys.argv[2], "w"), indent=2)' cli/data/diploma.json "$DATA/diploma-template.json" &&
    python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$DATA/issuer-admin.token" &&
    chmod 600 "$DATA/issuer-admin.token" &&
    printf '\n[issuer]\nkey = "uni.key"\nstate_dir = "issuer-state"\nadmin_token_file = "issuer-admin.token"\nname = "University of Civitas"\nbatch_size = 2\n\n[[issuer.credential]]\nid = "diploma"\nname = "University diploma"\ntemplate = "diploma-template.json"\n\n[[issuer.credential.claim]]\npath = ["credentialSubject", "degree", "name"]\nname = "Degree"\n' >>"$DATA/desk.toml" &&
    rm -rf "$DATA/issuer-state" || return 1
  "$CLI" serve --config "$DATA/desk.toml" --port 0 >"$DATA/desk.out" 2>"$DATA/desk.err" &
  DESK_PID=$!
  local i
  for i in $(seq 1 100); do
    CIVITAS_TEST_DESK="$(sed -n 's|^civitas serve: the desk page is at \(http://[^/]*\)/$|\1|p' "$DATA/desk.out")"
    if [ -n "$CIVITAS_TEST_DESK" ]; then
      CIVITAS_TEST_ADMIN_TOKEN="$(cat "$DATA/issuer-admin.token")"
      export CIVITAS_TEST_DESK CIVITAS_TEST_ADMIN_TOKEN
      return 0
    fi
    kill -0 "$DESK_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$DATA/desk.err" >&2
  return 1
}
single "desk" start_desk
trap '[ -n "$DESK_PID" ] && kill "$DESK_PID" 2>/dev/null; rm -rf "$LOG"' EXIT

step "committed bindings are up to date"
single "up-to-date check" bindings/check-up-to-date.sh

step "Python"
rm -rf "$BUILD/python" && mkdir -p "$BUILD/python"
# ctypes loads the library from the module's own folder.
cp bindings/python/civitas_ffi.py bindings/python/test_civitas.py "$LIB" "$BUILD/python/"
suite "python" python3 "$BUILD/python/test_civitas.py"

step "Kotlin"
kotlin_ready=1
apt_packages=()
[ -f "$JNA_JAR" ] || apt_packages+=(libjna-java)
command -v java >/dev/null || apt_packages+=(default-jre-headless)
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "installing ${apt_packages[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"; } >"$LOG/apt" 2>&1 ||
      { tail -20 "$LOG/apt"; kotlin_ready=0; }
  else
    echo "missing and not root: apt-get install ${apt_packages[*]}"
    kotlin_ready=0
  fi
fi
if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
  echo "installing kotlin-compiler@$KOTLIN_VERSION into $TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$(dirname "$(dirname "$KOTLIN_HOME")")" \
    "kotlin-compiler@$KOTLIN_VERSION" >"$LOG/npm" 2>&1 || { tail -20 "$LOG/npm"; kotlin_ready=0; }
fi
if [ "$kotlin_ready" -eq 1 ]; then
  KOTLINC="$KOTLIN_HOME/bin/kotlinc"
  COROUTINES_JAR="$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar"
  JAR="$BUILD/kotlin/civitas-bindings.jar"
  mkdir -p "$BUILD/kotlin"
  # The jar is rebuilt only when the generated source, the compiler or JNA changes.
  stamp="$(cat bindings/kotlin/uniffi/civitas_ffi/civitas_ffi.kt "$JNA_JAR" | sha256sum | cut -c1-64) $KOTLIN_VERSION"
  if [ ! -f "$JAR" ] || [ "$(cat "$JAR.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "compiling the Kotlin bindings"
    rm -f "$JAR" "$JAR.stamp"
    if "$KOTLINC" -nowarn -cp "$JNA_JAR:$COROUTINES_JAR" \
      bindings/kotlin/uniffi/civitas_ffi/civitas_ffi.kt -d "$JAR" 2>&1; then
      echo "$stamp" >"$JAR.stamp"
    fi
  else
    echo "Kotlin bindings jar is up to date"
  fi
  if [ -f "$JAR" ]; then
    suite "kotlin" "$KOTLINC" -nowarn -J-ea "-J-Djna.library.path=$(dirname "$LIB")" \
      -cp "$JNA_JAR:$COROUTINES_JAR:$JAR" -script bindings/kotlin/CivitasTest.kts
  else
    failed=$((failed + 1))
    failed_steps+=("kotlin compile")
  fi
else
  failed=$((failed + 1))
  failed_steps+=("kotlin tools")
fi

step "Swift ABI"
suite "swift abi" python3 bindings/swift/abi_check.py bindings/swift "$LIB" "$BUILD/swift"

finish
