#!/usr/bin/env python3
"""Score natasha (Russian news NER: PER / LOC / ORG) on the Russian dev set with the metric of
`pactwatch eval ner`, on exactly the sentences pactwatch scores: the gold is dumped by
`pactwatch eval ner --gold dev --sets nerel-ru --dump-gold DIR` (tokens joined by single spaces
form one text; exact (type, char start, char end) spans; predicted types the gold lacks are not
scored), scoring from scripts/spacy_baseline.py.

Usage: scripts/natasha_baseline.sh (creates a throwaway virtual environment outside the repo)
Prints one JSON object: {name: {f1, precision, recall, n_gold, n_pred, per_type, model}}.
"""
import argparse, json, os, sys, time
sys.path.insert(0, os.path.dirname(__file__))
from spacy_baseline import read_conll, score  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold-dir", required=True, help="folder written by --dump-gold")
    ap.add_argument("--sets", default="nerel-ru")
    a = ap.parse_args()
    from importlib.metadata import version
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter
    seg, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())

    def predict(texts):
        for t in texts:
            d = Doc(t)
            d.segment(seg)
            d.tag_ner(tagger)
            yield [(s.type, s.start, s.stop) for s in d.spans]

    result = {}
    for name in a.sets.split(","):
        sents = read_conll(os.path.join(a.gold_dir, f"{name}.tsv"))
        t = time.time()
        r = score(None, sents, predict)
        r["model"] = f"natasha=={version('natasha')}"; r["sentences"] = len(sents); r["seconds"] = round(time.time() - t, 1)
        print(f"{name}: natasha F1 {100 * r['f1']:.2f} on {len(sents)} sentences", file=sys.stderr)
        result[name] = r
    print(json.dumps(result))


if __name__ == "__main__":
    main()
