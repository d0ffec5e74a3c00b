#!/usr/bin/env python3
"""Why gold stance holders were not found: sort them by what the pipeline saw.

Reads the gold articles (`eval/news-dev` or `eval/news-real`), the `annotate` output that
`pactwatch eval news --out DIR --errors FILE` wrote (`DIR/annotate/documents.jsonl`) and its
per-article outcomes (`FILE`). For every gold actor with a side that no predicted actor matches,
one category:

- no entity: NER found no mention matching its names;
- document not relevant: the document has no relevant sentence for the target;
- sentence not relevant: its mentions stand only in sentences that are not relevant;
- relevant, no holder: a relevant sentence names it, but that sentence has no holder at all;
- relevant, other holder: a relevant sentence names it, and someone else holds the sentence.

It also counts the actors that were found, by (gold, predicted) label.

    pactwatch eval news --gold eval/news-dev --out /tmp/ev --errors /tmp/ev.jsonl
    scripts/stance_unfound.py --gold eval/news-dev --pred /tmp/ev/annotate --errors /tmp/ev.jsonl --examples 5

Names match as in `pactwatch::training::news_eval::names_match`: equal to a mention, case
aside, or the same last word of at least three letters.
"""
import argparse
import collections
import glob
import json
import os
import re


def words(s):
    return [w.lower() for w in re.split(r"[^\w\-']+", s) if w]


def names_match(pred, mentions):
    p = pred.strip().lower()
    pw = words(p)
    for m in mentions:
        m = m.strip().lower()
        if m == p:
            return True
        mw = words(m)
        if pw and len(pw[-1]) >= 3 and mw and mw[-1] == pw[-1]:
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", required=True, help="gold folder or file")
    ap.add_argument("--pred", required=True, help="annotate output folder (documents.jsonl)")
    ap.add_argument("--errors", required=True, help="eval news --errors file")
    ap.add_argument("--split", default="dev", help="dev, test or all")
    ap.add_argument("--examples", type=int, default=0, help="examples to print per category")
    a = ap.parse_args()

    files = sorted(glob.glob(os.path.join(a.gold, "*.jsonl"))) if os.path.isdir(a.gold) else [a.gold]
    gold = {}
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    g = json.loads(line)
                    gold[(g["id"], g["target"])] = g
    docs = {}
    with open(os.path.join(a.pred, "documents.jsonl"), encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs[d["id"]] = d

    unfound = collections.Counter()
    found = collections.Counter()
    examples = collections.defaultdict(list)
    with open(a.errors, encoding="utf-8") as fh:
        for line in fh:
            e = json.loads(line)
            if not e["on_topic"] or (a.split != "all" and e["split"] != a.split):
                continue
            g = gold[(e["id"], e["target"])]
            d = docs[e["id"]]
            rows = {s["sentence"]: s for s in d["stances"] if s["target"] == e["target"] and s["scope"] == "sentence"}
            for ga, out in zip(g["actors"], e["actors"]):
                if out["predicted"]:
                    best = max(out["predicted"], key=lambda p: p[2])
                    found[(ga["stance"], best[1])] += 1
                    continue
                if ga["stance"] == "none":
                    found[("none", "not found")] += 1
                    continue
                ents = [x for x in d["entities"] if names_match(x["text"], ga["mentions"])]
                where = None
                if not ents:
                    cat = "no entity"
                elif not rows:
                    cat = "document not relevant"
                else:
                    rel = [rows[x["sentence"]] for x in ents if x["sentence"] in rows]
                    if not rel:
                        cat = "sentence not relevant"
                        where = ents[0]["sentence"]
                    elif all(r["holder"] is None for r in rel):
                        cat = "relevant, no holder"
                        where = rel[0]["sentence"]
                    else:
                        cat = "relevant, other holder"
                        r = next(r for r in rel if r["holder"] is not None)
                        where = r["sentence"]
                unfound[cat] += 1
                if len(examples[cat]) < a.examples:
                    text = ""
                    if where is not None:
                        s = d["sentences"][where]
                        text = d["text"][s["char_start"]:s["char_end"]].replace("\n", " ")[:200]
                    holder = rows.get(where, {}).get("holder") if where is not None else None
                    examples[cat].append((e["id"], ga["name"], ga["stance"], holder, text))

    total = sum(unfound.values())
    print(f"stance-holding gold actors not found ({a.split}): {total}")
    for cat, n in unfound.most_common():
        print(f"  {cat}: {n}")
        for ex in examples[cat]:
            print(f"    {ex[0]} | {ex[1]} ({ex[2]}) | holder: {ex[3]} | {ex[4]}")
    print("found actors by (gold, predicted):")
    for k, n in sorted(found.items()):
        print(f"  {k[0]} -> {k[1]}: {n}")


if __name__ == "__main__":
    main()
