#!/usr/bin/env python3
"""Pick the real-news articles that eval/news-real labels (reproducible: fixed seed).

Reads ../shared/data/news/multilingual_news_unlabeled.jsonl (real third-party news, never
committed) and writes, per language, candidates for the Nord Stream 2 stance set: on-topic
candidates from the corpus's nord_stream topic and hard negatives from its other topics that
mention Russia, Ukraine, NATO or peace talks. Usage: news_real_candidates.py OUT_DIR

With --paris-offtopic FILE it writes instead the gold lines of eval/news-real/paris-offtopic.jsonl:
real news from 2015-2023 that mentions Russia, Ukraine, NATO or peace talks, up to 25 per
language, all off-topic for the Paris Declaration of January 2026 by date alone.
"""
import json, random, sys, os

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "news", "multilingual_news_unlabeled.jsonl")
ON = {"bg": 34, "cs": 34, "pl": 34, "ru": 34, "sl": 30, "uk": 30}
OFF = 8

def main(out):
    docs = [json.loads(l) for l in open(CORPUS, encoding="utf-8")]
    rng = random.Random(2026)
    os.makedirs(out, exist_ok=True)
    for lang, n in ON.items():
        on = [d for d in docs if d["topic"] == "nord_stream" and d["lang"] == lang and len(d["text"]) <= 3500]
        off = [d for d in docs if d["source"] == "slavicner" and d["topic"] != "nord_stream" and d["lang"] == lang
               and d["mentions_ru_ua_nato_peace"] and len(d["text"]) <= 3500]
        pick = rng.sample(on, min(n, len(on))) + rng.sample(off, min(OFF, len(off)))
        with open(os.path.join(out, f"cand-{lang}.jsonl"), "w", encoding="utf-8") as f:
            for d in pick:
                f.write(json.dumps({"corpus_id": d["id"], "lang": lang, "topic": d["topic"], "text": d["text"]}, ensure_ascii=False) + "\n")
        print(lang, len(pick))

def paris_offtopic(path):
    docs = [json.loads(l) for l in open(CORPUS, encoding="utf-8")]
    rng = random.Random(7)
    langs = sorted({d["lang"] for d in docs})
    with open(path, "w", encoding="utf-8") as f:
        for lang in langs:
            pool = [d for d in docs if d["lang"] == lang and d["mentions_ru_ua_nato_peace"] and not d["lowercased"] and len(d["text"]) <= 4000]
            for k, d in enumerate(rng.sample(pool, min(25, len(pool)))):
                f.write(json.dumps({"id": f"rwo-{lang}-{k + 1:03d}", "corpus_id": d["id"], "target": "paris-declaration", "lang": lang,
                                    "source": d["source"], "on_topic": False, "label": None, "actors": [],
                                    "notes": f"real news ({d['source']}, topic {d['topic']}) from before 2026"}, ensure_ascii=False) + "\n")

if __name__ == "__main__":
    if sys.argv[1] == "--paris-offtopic":
        paris_offtopic(sys.argv[2])
    else:
        main(sys.argv[1])
