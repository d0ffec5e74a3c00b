#!/usr/bin/env bash
# natasha baseline for the Russian dev set (issue 12). Installs natasha into a throwaway virtual
# environment outside the repository, dumps the gold sentences pactwatch scores, and scores
# natasha on them. Usage: scripts/natasha_baseline.sh [--data DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PACTWATCH_NATASHA_VENV:-/tmp/pactwatch-natasha-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet natasha >&2
fi
GOLD=$(mktemp -d)
trap 'rm -rf "$GOLD"' EXIT
./target/release/pactwatch eval ner --gold dev --sets nerel-ru --dump-gold "$GOLD" "$@" >&2
"$VENV/bin/python" scripts/natasha_baseline.py --gold-dir "$GOLD" --sets nerel-ru
