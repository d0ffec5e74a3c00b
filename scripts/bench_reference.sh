#!/usr/bin/env bash
# The Python reference for `pactwatch bench`: Hugging Face transformers pipelines in a
# throwaway virtual environment outside the repository (torch 2.4.0 CPU from the wheel that
# scripts/setup.sh cached, without its CUDA dependencies; transformers from PyPI).
# Usage: scripts/bench_reference.sh --bench-dir DIR [--threads N]   (see scripts/bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PACTWATCH_BENCH_VENV:-/tmp/pactwatch-bench-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import transformers, torch" 2>/dev/null; then
  echo "[bench_reference] creating $VENV" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  wheel=$(ls .cache/wheels/torch-2.4.0-*.whl 2>/dev/null | head -1)
  if [ -n "$wheel" ]; then
    "$VENV/bin/pip" install -q --no-deps "$wheel"
  else
    "$VENV/bin/pip" install -q --no-deps torch==2.4.0
  fi
  "$VENV/bin/pip" install -q filelock typing-extensions sympy networkx jinja2 fsspec "numpy<2" \
    transformers==4.44.2 tokenizers safetensors psutil
fi
exec "$VENV/bin/python" scripts/bench_reference.py "$@"
