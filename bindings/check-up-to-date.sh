#!/usr/bin/env bash
# Fails if the committed bindings under bindings/{kotlin,swift,python}/ differ from what
# bindings/generate.sh produces from the current ffi crate. Fix: run bindings/generate.sh and
# commit the result.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$ROOT/bindings/generate.sh" "$TMP"

stale=()
while IFS= read -r file; do
  rel="${file#"$TMP"/}"
  if [ ! -f "$ROOT/bindings/$rel" ]; then
    stale+=("bindings/$rel (missing)")
  elif ! cmp -s "$file" "$ROOT/bindings/$rel"; then
    stale+=("bindings/$rel")
  fi
done < <(find "$TMP" -type f | sort)

if [ "$(find "$TMP" -type f | wc -l)" -eq 0 ]; then
  echo "check-up-to-date: the generator produced no files" >&2
  exit 1
fi
if [ "${#stale[@]}" -gt 0 ]; then
  echo "check-up-to-date: generated bindings are stale:" >&2
  printf '  %s\n' "${stale[@]}" >&2
  echo "run bindings/generate.sh and commit the result" >&2
  exit 1
fi
echo "bindings up to date ($(find "$TMP" -type f | wc -l) generated files)"
