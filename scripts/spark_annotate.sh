#!/usr/bin/env bash
# Installs pyspark into a throwaway virtual environment outside the repository (once), then runs
# scripts/spark_annotate.py with it. Java 17 must be on PATH. Arguments go to the script.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PACTWATCH_SPARK_VENV:-/tmp/pactwatch-spark-venv}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pyspark" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pyspark==4.3.0 >&2
fi
export PYSPARK_PYTHON="$VENV/bin/python"
exec "$VENV/bin/python" scripts/spark_annotate.py "$@"
