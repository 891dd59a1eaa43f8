#!/usr/bin/env bash
# Sets up everything a fresh clone needs (scripts/setup.sh), then scores the bundled sample
# corpus datasets/articles/ into results/sample/ (or the folder given as the first argument).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
OUT="${1:-$ROOT/results/sample}"
exec "$ROOT/target/release/framescore" score "$ROOT/datasets/articles" --out "$OUT"
