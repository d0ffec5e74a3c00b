#!/usr/bin/env python3
"""Markdown table of NER dev scores from `pactwatch eval ner --gold dev --json` output (or the
"dev" object of models/ner-multi/training.json), with the project's targets, an optional
previous model's F1 and the spaCy baselines (models/ner-multi/spacy_baseline_scores.json).
Usage: python3 scripts/ner_dev_table.py SCORES.json [PREVIOUS_SCORES.json]"""
import json, os, sys

TARGETS = {"conll2003-en": 93, "conll2002-es": 86, "germeval2014-de": 82,
           "wikiann-de": 87, "wikiann-en": 87, "wikiann-fr": 87, "wikiann-nl": 87}
d = json.load(open(sys.argv[1]))
d = d.get("dev", d)
prev = {}
if len(sys.argv) > 2:
    p = json.load(open(sys.argv[2]))
    prev = p.get("dev", p)
spacy_path = os.path.join(os.path.dirname(__file__), "..", "models", "ner-multi", "spacy_baseline_scores.json")
spacy = json.load(open(spacy_path)) if os.path.exists(spacy_path) else {}
pct = lambda x: f"{100 * x:.1f}"
types = ["PER", "ORG", "LOC", "MISC"]
head = ["dev set", "sentences", "P", "R", "F1 (micro)", "macro F1", *types, "target"]
if prev:
    head.append("previous model F1")
head.append("spaCy sm F1")
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for name, v in sorted(d.items()):
    per = [pct(v["per_type"][t]["f1"]) if t in v["per_type"] else "–" for t in types]
    f1 = 100 * v["f1"]
    t = TARGETS.get(name)
    target = "–" if t is None else (f"{t} (met)" if f1 >= t else f"{t} (missed by {t - f1:.1f})")
    row = [name, str(v["sentences"]), pct(v["precision"]), pct(v["recall"]), f"**{f1:.1f}**", pct(v["macro_f1"]), *per, target]
    if prev:
        row.append(pct(prev[name]["f1"]) if name in prev else "–")
    row.append(pct(spacy[name]["f1"]) if name in spacy else "–")
    print("| " + " | ".join(row) + " |")
