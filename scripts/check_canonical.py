#!/usr/bin/env python3
"""How many canonical actors the mentions of a few well-known actors got in an annotate run.

    python3 scripts/check_canonical.py OUT_DIR

Reads OUT_DIR/entities.csv; for Putin, Macron, Zelensky and the Kremlin (mentions matched by
spelling stems in Latin, Cyrillic and Greek script, lower-cased), prints each canonical id with
its mention count, languages and spellings. One id per actor is the goal (issue 13).
"""
import csv, collections, sys

STEMS = {
    "Putin": ["putin", "poutine", "poetin", "путин", "путін", "πούτιν"],
    "Macron": ["macron", "макрон", "μακρόν"],
    "Zelensky": ["zelensk", "zełensk", "selensk", "зеленськ", "зеленск", "ζελένσκ"],
    "Kremlin": ["kreml", "cremlin", "кремл", "κρεμλ"],
}
rows = list(csv.DictReader(open(sys.argv[1] + "/entities.csv", encoding="utf-8")))
for who, stems in STEMS.items():
    hits = [r for r in rows if any(s in r["text"].lower() for s in stems)]
    by = collections.defaultdict(list)
    for r in hits:
        by[r["canonical_id"]].append(r)
    print(f"{who}: {len(hits)} mentions, {len(by)} canonical id(s)")
    for cid, rs in sorted(by.items(), key=lambda kv: -len(kv[1])):
        langs = sorted({r["lang"] for r in rs})
        spell = collections.Counter(r["text"] for r in rs).most_common(6)
        print(f"  {cid}: {len(rs)} mentions, languages {'|'.join(langs)}; {', '.join(f'{t} ({n})' for t, n in spell)}")
