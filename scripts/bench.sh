#!/usr/bin/env bash
# Both sides of the performance comparison in one run, on the same documents and threads:
#   1. `pactwatch bench` (full pipeline, outputs kept),
#   2. scripts/bench_reference.sh (Hugging Face transformers in Python, same exported weights),
# then the ratio pactwatch / reference and the entity agreement.
# Usage: scripts/bench.sh [DOCS=500] [THREADS=all cores]
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${1:-500}
THREADS=${2:-$(nproc)}
INPUT=${PACTWATCH_BENCH_INPUT:-../shared/data/news/multilingual_news_unlabeled.jsonl}
W=${PACTWATCH_BENCH_DIR:-/tmp/pactwatch-bench}
mkdir -p "$W"
BIN=./target/release/pactwatch
# Exported afresh each run, so the reference always gets the weights pactwatch uses now.
rm -rf "$W/ner" "$W/stance"
$BIN export-model models/ner-multi --out "$W/ner"
$BIN export-model models/stance-multi --out "$W/stance"
rm -rf "$W/out"
$BIN bench "$INPUT" --docs "$DOCS" --threads "$THREADS" --keep "$W/out" --json > "$W/pactwatch.json"
# The same documents' entities with transformers' word heuristic (--word-rule hf): the agreement
# of the two forwards when both cut words alike (not timed; NER only).
rm -rf "$W/out-hf"
$BIN annotate "$INPUT" --limit "$DOCS" --threads "$THREADS" --word-rule hf --no-stance --format documents --out "$W/out-hf" --quiet \
  || [ $? -eq 1 ]  # 1: some records failed (error rows); they are not in either comparison
DESC=$(python3 -c "import tomllib;t=tomllib.load(open('targets/paris-declaration.toml','rb'));print(t['description'])")
QUERY=$(python3 -c "import tomllib;t=tomllib.load(open('targets/paris-declaration.toml','rb'));print(t.get('query',t['name']))")
scripts/bench_reference.sh --documents "$W/out/documents.jsonl" --input "$INPUT" --ner "$W/ner" --stance "$W/stance" \
  --relevance models/e5-small --description "$DESC" --query "$QUERY" --threads "$THREADS" \
  --compare "hf_word_rule=$W/out-hf/documents.jsonl" --diff "$W/diff.jsonl" > "$W/reference.json"
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
p = json.load(open(f"{w}/pactwatch.json")); r = json.load(open(f"{w}/reference.json"))
print(f"{'':28}{'pactwatch':>12}{'reference':>12}{'ratio':>8}")
for k in ["docs_per_s", "tokens_per_s"]:
    print(f"{k:28}{p[k]:12.2f}{r[k]:12.2f}{p[k]/r[k]:8.2f}")
print(f"{'wall_s':28}{p['wall_s']:12.1f}{r['wall_s']:12.1f}")
print(f"{'peak_rss_mb':28}{p['peak_rss_mb']:12.0f}{r['peak_rss_mb']:12.0f}")
print(f"entity agreement {r['entity_agreement']:.4f} ({r['entities_in_both']} in both; pactwatch {r['pactwatch_entities']}, reference {r['entities']})")
for name, c in r.get("compare", {}).items():
    print(f"entity agreement, pactwatch --word-rule hf: {c['entity_agreement']:.4f} ({c['entities_in_both']} in both; pactwatch {c['pactwatch_entities']}, reference {r['entities']})")
print(f"matmul peak {p['matmul_peak_gflop_per_s']:.1f} GFLOP/s; forward share of peak {p['forward_flops_share']:.3f}")
for m, v in p["models"].items():
    print(f"  {m:10} {v['gflop_per_s']:7.1f} GFLOP/s = {v['peak_share']:.3f} of peak; forward {v['forward_s']:.1f} s; padding {v['padding_share']:.3f}")
json.dump({"pactwatch": p, "reference": r, "ratio_docs_per_s": p["docs_per_s"] / r["docs_per_s"]}, open(f"{w}/bench.json", "w"), indent=1)
PY
