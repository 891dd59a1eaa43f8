#!/usr/bin/env bash
# Checks that a change leaves framescore's results unchanged: builds git revision REF (default
# HEAD) in a temporary worktree and the working tree as it is, scores the bundled sample corpus
# with both (default model set; with --accurate also the accurate set and --explain), and
# compares the CSVs byte for byte. Exits 1 naming every file that differs.
#   scripts/compare-outputs.sh [--accurate] [REF]
# Used for refactors that must not change behaviour (the source layout of issue 14 was checked
# this way against the commit before it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACCURATE=0
REF=HEAD
for arg in "$@"; do
  case "$arg" in
    --accurate) ACCURATE=1 ;;
    *) REF="$arg" ;;
  esac
done
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
WORK="$(mktemp -d)"
trap 'git -C "$ROOT" worktree remove --force "$WORK/ref" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
cp "$ROOT/target/release/framescore" "$WORK/framescore-now"
git -C "$ROOT" worktree add --detach "$WORK/ref" "$REF" >/dev/null
# The encoders are not in git: the old revision uses the checkout's copies.
for enc in minilm mpnet; do
  if [[ -d "$ROOT/models/$enc" ]]; then ln -s "$ROOT/models/$enc" "$WORK/ref/models/$enc"; fi
done
(cd "$WORK/ref" && CARGO_TARGET_DIR="$ROOT/target" cargo build --release --locked --quiet --bins)
cp "$ROOT/target/release/framescore" "$WORK/framescore-ref"
# Put the working tree's build back where setup.sh left it. The revision's sources were written
# after the working tree's, so cargo (which compares modification times) would take its build
# for up to date: touch the working tree's sources first, or the next build keeps the old one.
find "$ROOT/src" "$ROOT/build.rs" -type f -exec touch {} +
(cd "$ROOT" && cargo build --release --locked --quiet --bins)

run() { # run NAME BINARY MODELS-ROOT EXTRA...
  local name="$1" bin="$2" root="$3"
  shift 3
  "$bin" score "$ROOT/datasets/articles" --out "$WORK/$name" -q --models "$root/models$1" "${@:2}" || [[ $? == 1 ]]
}
status=0
compare() {
  local a="$1" b="$2" f
  for f in "$WORK/$a"/*.csv; do
    if cmp -s "$f" "$WORK/$b/$(basename "$f")"; then
      echo "same: $a/$(basename "$f")"
    else
      echo "DIFFERENT: $a/$(basename "$f")"
      status=1
    fi
  done
}
run ref-default "$WORK/framescore-ref" "$WORK/ref" ""
run now-default "$WORK/framescore-now" "$ROOT" ""
compare now-default ref-default
if [[ "$ACCURATE" == 1 ]]; then
  run ref-accurate "$WORK/framescore-ref" "$WORK/ref" /accurate --explain
  run now-accurate "$WORK/framescore-now" "$ROOT" /accurate --explain
  compare now-accurate ref-accurate
fi
exit "$status"
