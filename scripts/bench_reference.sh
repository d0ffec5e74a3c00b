#!/usr/bin/env bash
# The Python reference for `pactwatch bench`: Hugging Face transformers pipelines in a
# throwaway virtual environment outside the repository: torch 2.4.0 from PyPI (the CUDA build,
# about 3 GB with its nvidia-* dependencies, which `import torch` needs even on CPU; the torch
# wheel itself is taken from scripts/setup.sh's cache), transformers 4.44.2, and for the ONNX
# Runtime backends onnx, onnxruntime and optimum 1.22.0.
# Usage: scripts/bench_reference.sh --bench-dir DIR [--threads N]   (see scripts/bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PACTWATCH_BENCH_VENV:-/tmp/pactwatch-bench-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import transformers, torch, onnxruntime, optimum.onnxruntime" 2>/dev/null; then
  echo "[bench_reference] creating $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  wheel=$(ls .cache/wheels/torch-2.4.0-*.whl 2>/dev/null | head -1)
  "$VENV/bin/pip" install -q "${wheel:-torch==2.4.0}" "numpy<2" transformers==4.44.2 psutil
  "$VENV/bin/pip" install -q "optimum[onnxruntime]==1.22.0" onnx onnxruntime
fi
exec "$VENV/bin/python" scripts/bench_reference.py "$@"
