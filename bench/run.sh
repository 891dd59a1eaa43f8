#!/usr/bin/env bash
# Throughput benchmark: framescore against sentence-transformers, same inputs, one run.
# Sets up framescore (scripts/setup.sh) and a Python venv with the baseline (bench/requirements.txt),
# then runs bench/run.py, which prints a Markdown table (also saved to bench/results.md).
#   bench/run.sh            # UN General Debate slices of 150 and 300 speeches
#   BENCH_SPEECHES="50 100" bench/run.sh   # smaller, for a quick look
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../scripts/setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
# shellcheck disable=SC2086
cargo build --release --locked --quiet $FRAMESCORE_CARGO_FEATURES --example embed_speed
if [[ ! -x bench/.venv/bin/python ]] || ! bench/.venv/bin/python -c 'import sentence_transformers' 2>/dev/null; then
  echo "[bench] creating bench/.venv with sentence-transformers on torch 2.4.0 (about 3 GB)" >&2
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
fi
exec python3 bench/run.py "$@"
