#!/usr/bin/env python3
"""Markdown table of NER dev scores from `pactwatch eval ner --gold dev --json` output (or the
"dev" object of models/ner-multi/training.json), with the project's targets, an optional
previous model's F1 and the baselines that run here (models/ner-multi/spacy_baseline_scores.json,
models/ner-multi/natasha_baseline_scores.json).
Usage: python3 scripts/ner_dev_table.py SCORES.json [PREVIOUS_SCORES.json]"""
import json, os, sys

# Dev goals of issue 12 (WikiANN: the earlier issue's 87).
TARGETS = {"conll2003-en": 91, "conll2003-de": 86, "conll2002-nl": 86, "conll2002-es": 86, "germeval2014-de": 82,
           "kind-it": 85, "elner-el": 85, "cnec-cs": 85, "nkjp-pl": 85, "nerel-ru": 85,
           "wikiann-de": 87, "wikiann-en": 87, "wikiann-fr": 87, "wikiann-nl": 87}
d = json.load(open(sys.argv[1]))
d = d.get("dev", d)
prev = {}
if len(sys.argv) > 2:
    p = json.load(open(sys.argv[2]))
    prev = p.get("dev", p)
base = {}
for f in ("spacy_baseline_scores.json", "natasha_baseline_scores.json"):
    path = os.path.join(os.path.dirname(__file__), "..", "models", "ner-multi", f)
    if os.path.exists(path):
        base.update(json.load(open(path)))
pct = lambda x: f"{100 * x:.1f}"
types = ["PER", "ORG", "LOC", "MISC"]
head = ["dev set", "sentences", "P", "R", "F1 (micro)", "macro F1", *types, "target"]
if prev:
    head.append("previous model F1")
head.append("baseline F1 (spaCy sm / natasha)")
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
    row.append(f'{pct(base[name]["f1"])} ({base[name]["model"].split("==")[0]})' if name in base else "–")
    print("| " + " | ".join(row) + " |")
