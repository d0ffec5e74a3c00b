#!/usr/bin/env bash
# Both sides of the performance comparison in one run, on the same documents and threads:
#   1. `pactwatch bench` (full pipeline, outputs kept), at --precision fp32 and the default (auto: int8 where the kernel is exact),
#   2. scripts/bench_reference.sh (Python, same exported weights): Hugging Face transformers on
#      PyTorch fp32, and the same pipelines on ONNX Runtime fp32 and dynamic int8 (optimum),
# then the ratios pactwatch / each reference and the entity agreements.
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
rm -rf "$W/out" "$W/out-int8"
# fp32: every model at fp32; int8: the defaults (NER and relevance int8, stance fp32).
$BIN bench "$INPUT" --docs "$DOCS" --threads "$THREADS" --keep "$W/out" --extra="--precision fp32" --json > "$W/pactwatch.json"
$BIN bench "$INPUT" --docs "$DOCS" --threads "$THREADS" --keep "$W/out-int8" --json > "$W/pactwatch-int8.json" 2> "$W/pactwatch-int8.err"
# The same documents' entities with transformers' word heuristic (--word-rule hf): the agreement
# of the two forwards when both cut words alike (not timed; NER only).
rm -rf "$W/out-hf"
$BIN annotate "$INPUT" --limit "$DOCS" --threads "$THREADS" --word-rule hf --precision fp32 --no-stance --format documents --out "$W/out-hf" --quiet \
  || [ $? -eq 1 ]  # 1: some records failed (error rows); they are not in either comparison
DESC=$(python3 -c "import tomllib;t=tomllib.load(open('targets/paris-declaration.toml','rb'));print(t['description'])")
QUERY=$(python3 -c "import tomllib;t=tomllib.load(open('targets/paris-declaration.toml','rb'));print(t.get('query',t['name']))")
# The references: transformers on PyTorch fp32, and the same exported weights on ONNX Runtime
# fp32 and dynamic int8 (each compared with pactwatch's entities at the same precision).
for B in torch onnx-fp32 onnx-int8; do
  case $B in onnx-int8) OURS="$W/out-int8" ;; *) OURS="$W/out" ;; esac
  scripts/bench_reference.sh --backend "$B" --onnx-dir "$W/onnx-$B" --documents "$OURS/documents.jsonl" --input "$INPUT" \
    --ner "$W/ner" --stance "$W/stance" --relevance models/e5-small --description "$DESC" --query "$QUERY" --threads "$THREADS" \
    --compare "hf_word_rule=$W/out-hf/documents.jsonl" --diff "$W/diff-$B.jsonl" > "$W/reference-$B.json" 2> "$W/reference-$B.err"
done
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
ours = {"fp32": json.load(open(f"{w}/pactwatch.json")), "int8": json.load(open(f"{w}/pactwatch-int8.json"))}
refs = {b: json.load(open(f"{w}/reference-{b}.json")) for b in ["torch", "onnx-fp32", "onnx-int8"]}
names = {"torch": "transformers fp32", "onnx-fp32": "ONNX Runtime fp32", "onnx-int8": "ONNX Runtime int8"}
print(f"{'':24}{'docs/s':>9}{'tokens/s':>10}{'wall s':>8}{'peak MB':>9}")
for k, p in ours.items():
    print(f"{'pactwatch ' + k:24}{p['docs_per_s']:9.2f}{p['tokens_per_s']:10.1f}{p['wall_s']:8.1f}{p['peak_rss_mb']:9.0f}")
for b, r in refs.items():
    print(f"{names[b]:24}{r['docs_per_s']:9.2f}{r['tokens_per_s']:10.1f}{r['wall_s']:8.1f}{r['peak_rss_mb']:9.0f}")
print("ratios (pactwatch docs/s over the reference's):")
for k, p in ours.items():
    print("  pactwatch " + k + ": " + ", ".join(f"{p['docs_per_s'] / r['docs_per_s']:.2f} x {names[b]}" for b, r in refs.items()))
for b, r in refs.items():
    side = "int8" if b == "onnx-int8" else "fp32"
    print(f"entity agreement, {names[b]} vs pactwatch {side}: {r['entity_agreement']:.4f} ({r['entities_in_both']} in both; pactwatch {r['pactwatch_entities']}, reference {r['entities']})")
p = ours["fp32"]
print(f"matmul peak {p['matmul_peak_gflop_per_s']:.1f} GFLOP/s; forward share of peak {p['forward_flops_share']:.3f} (fp32)")
for k, p in ours.items():
    for m, v in p["models"].items():
        print(f"  {k} {m:10} {v['gflop_per_s']:7.1f} GFLOP/s = {v['peak_share']:.3f} of fp32 peak; forward {v['forward_s']:.1f} s; padding {v['padding_share']:.3f}")
json.dump({"pactwatch": ours, "references": refs,
           "ratio_docs_per_s": {f"{k}/{b}": p["docs_per_s"] / r["docs_per_s"] for k, p in ours.items() for b, r in refs.items()}},
          open(f"{w}/bench.json", "w"), indent=1)
PY
