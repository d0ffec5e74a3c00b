#!/usr/bin/env bash
# Round-trip the CoNLL, brat, Label Studio and Parquet exports through other tools (issue 13):
# annotate the sample corpus plus one document with an emoji and CJK before its names, then
# scripts/check_exports.py (Label Studio's converter from label-studio-sdk, seqeval, DuckDB) in a
# throwaway virtual environment outside the repository.
#   scripts/check_exports.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$(mktemp -d)/exports}
VENV=${PACTWATCH_EXPORTS_VENV:-/tmp/pactwatch-exports-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q label-studio-sdk==2.1.2 seqeval==1.2.2 duckdb==2.0.1
IN=$(mktemp --suffix=.jsonl)
cat corpora/sample.jsonl > "$IN"
echo '{"id": "emoji/1", "text": "😀 Keir Starmer and Emmanuel Macron met in Paris. 東 Vladimir Putin rejected the declaration."}' >> "$IN"
./target/release/pactwatch annotate "$IN" --out "$OUT" --quiet --format documents,entities,stances,actors,conll,brat,labelstudio,parquet
"$VENV/bin/python" scripts/check_exports.py "$OUT"
