#!/usr/bin/env bash
# Makes a relocatable install of framescore: after set-up and the release build (scripts/setup.sh),
#   PREFIX/bin/framescore            the program
#   PREFIX/lib/framescore/           libtorch's libraries (the binary finds them through its
#                                    RPATH $ORIGIN/../lib/framescore)
#   PREFIX/share/framescore/models/  the models, lexicon and encoders (found relative to the binary;
#                                    FRAMESCORE_MODELS overrides)
# The folder can be moved or copied (cp -r, tar, rsync) to any path or machine of the same kind
# (Linux x86-64, glibc 2.17 or later) and runs there with no environment variables.
#
# Usage: scripts/install.sh [--fast-only] [--binary FILE] PREFIX
#   --fast-only    leave out the accurate set (models/accurate and its 420 MB encoder models/mpnet);
#                  without it they are installed when set-up has them (scripts/setup.sh --mpnet).
#   --binary FILE  install this already-built binary instead of running set-up and the build
#                  (libtorch from $LIBTORCH, default .deps/libtorch); the tests use it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FAST_ONLY=0
PREFIX=""
BINARY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fast-only) FAST_ONLY=1 ;;
    --binary) BINARY="${2:?--binary needs a file}"; shift ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) PREFIX="$1" ;;
  esac
  shift
done
[[ -n "$PREFIX" ]] || { echo "usage: scripts/install.sh [--fast-only] [--binary FILE] PREFIX" >&2; exit 2; }
if [[ -n "$BINARY" ]]; then
  export LIBTORCH="${LIBTORCH:-$ROOT/.deps/libtorch}"
else
  # shellcheck source=setup.sh
  source "$ROOT/scripts/setup.sh"
  BINARY="$ROOT/target/release/framescore"
fi
[[ -n "${LIBTORCH:-}" && -d "$LIBTORCH/lib" ]] ||
  { echo "install.sh: no libtorch folder (LIBTORCH); a tch download build cannot be installed this way" >&2; exit 2; }

mkdir -p "$PREFIX/bin" "$PREFIX/lib/framescore" "$PREFIX/share/framescore/models"
cp "$BINARY" "$PREFIX/bin/framescore"
# libtorch's shared libraries, and the two small CUDA runtime libraries that PyPI's libtorch_cpu
# needs to load (its RPATH includes $ORIGIN, so beside it is where it looks).
cp -L "$LIBTORCH"/lib/*.so* "$PREFIX/lib/framescore/"
for lib in "$LIBTORCH"/../nvidia/*/lib/*.so*; do
  [[ -e "$lib" ]] && cp -L "$lib" "$PREFIX/lib/framescore/"
done
models="$PREFIX/share/framescore/models"
for item in "$ROOT"/models/*; do
  name="$(basename "$item")"
  if [[ "$FAST_ONLY" == 1 && ( "$name" == accurate || "$name" == mpnet ) ]]; then continue; fi
  if [[ "$name" == accurate && ! -d "$ROOT/models/mpnet" ]]; then continue; fi
  rm -rf "${models:?}/$name"
  cp -r "$item" "$models/$name"
done
echo "[install] framescore installed in $PREFIX: run $PREFIX/bin/framescore (the folder can be moved)" >&2
