#!/usr/bin/env bash
# Sets up everything a fresh clone needs (scripts/setup.sh), then runs the whole test suite,
# including the tests that run the real encoder and the real binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The tests run the accurate models too, so set-up installs all-mpnet-base-v2 as well.
export FRAMESCORE_MPNET=1
# The report's browser test drives headless Chromium, so set-up installs Debian's package.
export FRAMESCORE_BROWSER=1
# The Spark example's test runs a local Spark: set-up installs pyspark and a Java runtime.
export FRAMESCORE_SPARK=1
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
# The source layout: no import circle, every import points down (README, How it works).
python3 "$ROOT/scripts/check-layout.py"
# shellcheck disable=SC2086
exec cargo test --release --locked $FRAMESCORE_CARGO_FEATURES "$@"
