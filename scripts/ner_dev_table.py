#!/usr/bin/env python3
"""Print a Markdown table of NER dev scores from a `pactwatch eval ner --gold dev --json` output
or a training.json (its "dev" field), optionally beside spaCy baseline scores.

Usage: python3 scripts/ner_dev_table.py EVAL.json [--spacy SPACY.json]
"""
import json, sys

TARGETS = {"conll2003-en": 93, "conll2002-es": 86, "germeval2014-de": 82,
           "wikiann-de": 87, "wikiann-en": 87, "wikiann-fr": 87, "wikiann-nl": 87}


def main():
    args = sys.argv[1:]
    d = json.load(open(args[0]))
    d = d.get("dev", d)
    spacy = json.load(open(args[args.index("--spacy") + 1])) if "--spacy" in args else {}
    print("| dev set | sentences | P | R | F1 (micro) | macro F1 | PER | ORG | LOC | MISC | target | spaCy sm F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in d.items():
        pt = r.get("per_type", {})
        f = lambda k: f"{100 * pt[k]['f1']:.1f}" if k in pt else "–"
        t = TARGETS.get(name)
        f1 = 100 * r["f1"]
        verdict = "met" if t is not None and f1 >= t else f"missed by {(t or 0) - f1:.1f}"
        tgt = "–" if t is None else f"{t} ({verdict})"
        sp = f"{100 * spacy[name]['f1']:.1f}" if name in spacy else "–"
        print(f"| {name} | {r.get('sentences', '')} | {100 * r['precision']:.1f} | {100 * r['recall']:.1f} | "
              f"**{100 * r['f1']:.1f}** | {100 * r['macro_f1']:.1f} | {f('PER')} | {f('ORG')} | {f('LOC')} | {f('MISC')} | {tgt} | {sp} |")


if __name__ == "__main__":
    main()
