#!/usr/bin/env bash
# Runs the property tests of tests/fuzz.rs (readers, segmenter, quotes, lexicon) for SECONDS
# (default 600), in rounds of many generated cases, each round with a fresh random seed; stops at
# the first failure, which proptest shrinks to a minimal input and prints.
#   scripts/fuzz.sh          # 10 minutes
#   scripts/fuzz.sh 60       # one minute
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_WANTED="${1:-600}"
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
# Build once and run the test binary itself, so cargo's lock is not held between rounds.
# shellcheck disable=SC2086
BIN="$(cargo test --release --locked $FRAMESCORE_CARGO_FEATURES --test fuzz --no-run --message-format=json 2>/dev/null |
  "${PYTHON:-python3}" -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "fuzz":
        print(m["executable"])')"
[[ -x "$BIN" ]] || { echo "[fuzz] could not build tests/fuzz.rs" >&2; exit 2; }
end=$((SECONDS + SECONDS_WANTED))
rounds=0
while ((SECONDS < end)); do
  PROPTEST_CASES=5000 "$BIN" >"$ROOT/target/fuzz-last.log" 2>&1 ||
    { cat "$ROOT/target/fuzz-last.log" >&2; echo "[fuzz] FAILED in round $((rounds + 1)); see above" >&2; exit 1; }
  rounds=$((rounds + 1))
  echo "[fuzz] round $rounds passed (5000 cases per property, $((end - SECONDS)) s left)" >&2
done
echo "[fuzz] no failure in $rounds rounds ($SECONDS_WANTED s)" >&2
