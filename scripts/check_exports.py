#!/usr/bin/env python3
"""Round-trip pactwatch's exports through other tools (run by scripts/check_exports.sh).

OUT is an `annotate --format documents,entities,stances,actors,conll,brat,labelstudio,parquet` folder. Checks:
- labelstudio.json through Label Studio's own converter (label-studio-sdk, JSON_MIN and
  CONLL2003 exports of the predictions, loaded as annotations): as many spans as entities.csv,
  and each span's offsets, read as UTF-16 units the way Label Studio's JavaScript does, give
  the span's text;
- annotations.conll through seqeval's chunk reader: as many entities, same types and words;
- brat/*.ann (no brat reader on PyPI: parsed here): every T line's code-point offsets give its
  text in the .txt file, which is the document text;
- entities / stances / actors / corpus_actors .parquet read by DuckDB: the same rows in the same
  order with the same values as the CSV tables.
Exits non-zero on the first mismatch; prints the counts.
"""
import csv, glob, json, os, sys, tempfile

out = sys.argv[1]
docs = {json.loads(l)["id"]: json.loads(l) for l in open(os.path.join(out, "documents.jsonl"), encoding="utf-8")}
ents = list(csv.DictReader(open(os.path.join(out, "entities.csv"), encoding="utf-8")))
n_ent = len(ents)
ok = True


def fail(msg):
    global ok
    ok = False
    print("MISMATCH:", msg)


# Label Studio
from label_studio_sdk.converter import Converter

tasks = json.load(open(os.path.join(out, "labelstudio.json"), encoding="utf-8"))
labels = sorted({e["label"] for e in ents} | {"PER", "ORG", "LOC", "MISC"})
config = ('<View><Text name="text" value="$text"/><Labels name="label" toName="text">'
          + "".join(f'<Label value="{l}"/>' for l in labels)
          + '</Labels><Choices name="stance" toName="text"><Choice value="favor"/><Choice value="against"/><Choice value="none"/></Choices></View>')
for i, t in enumerate(tasks):
    t["id"] = i + 1
    t["annotations"] = [{"id": i + 1, "result": t["predictions"][0]["result"], "completed_by": 1,
                         "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "lead_time": 0}]
tmp = tempfile.mkdtemp()
src = os.path.join(tmp, "tasks.json")
json.dump(tasks, open(src, "w", encoding="utf-8"), ensure_ascii=False)
conv = Converter(config=config, project_dir=tmp, download_resources=False)
conv.convert_to_json_min(src, os.path.join(tmp, "min"), is_dir=False)
mins = json.load(open(os.path.join(tmp, "min", "result.json"), encoding="utf-8"))
n_ls = 0
for r in mins:
    text = r["text"]
    u = text.encode("utf-16-le")
    for span in r.get("label", []):
        n_ls += 1
        got = u[2 * span["start"]:2 * span["end"]].decode("utf-16-le")
        if got != span["text"]:
            fail(f"labelstudio {r['id']}: UTF-16 [{span['start']},{span['end']}) gives {got!r}, span says {span['text']!r}")
if n_ls != n_ent:
    fail(f"labelstudio: {n_ls} spans, entities.csv {n_ent}")
conv.convert_to_conll2003(src, os.path.join(tmp, "conll"), is_dir=False)
print(f"labelstudio: {len(mins)} tasks, {n_ls} spans through the converter (JSON_MIN, CONLL2003 written)")

# CoNLL
from seqeval.metrics.sequence_labeling import get_entities

docs_tags, cur = [], None
for line in open(os.path.join(out, "annotations.conll"), encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("-DOCSTART-"):
        cur = []
        docs_tags.append(cur)
    elif line:
        w, t = line.split("\t")
        cur.append((w, t))
n_conll, order = 0, list(docs)
for k, seq in enumerate(docs_tags):
    chunks = get_entities([t for _, t in seq])
    d = docs[order[k]]
    exp = [(e["label"], e["text"].replace(" ", "").replace("\n", "")) for e in d["entities"]]
    got = [(typ, "".join(seq[j][0] for j in range(s, e + 1))) for typ, s, e in chunks]
    n_conll += len(got)
    if got != exp:
        fail(f"conll {d['id']}: {got[:3]} vs {exp[:3]}")
if n_conll != n_ent:
    fail(f"conll: {n_conll} entities, entities.csv {n_ent}")
print(f"conll: {len(docs_tags)} documents, {n_conll} entities through seqeval")

# brat
n_brat = 0
for ann in sorted(glob.glob(os.path.join(out, "brat", "*.ann"))):
    text = open(ann[:-4] + ".txt", encoding="utf-8", newline="").read()
    for line in open(ann, encoding="utf-8"):
        tid, mid, covered = line.rstrip("\n").split("\t")
        typ, s, e = mid.split(" ")
        n_brat += 1
        if text[int(s):int(e)].replace("\n", " ").replace("\r", " ") != covered:
            fail(f"brat {ann} {tid}: {text[int(s):int(e)]!r} vs {covered!r}")
if n_brat != n_ent or len(glob.glob(os.path.join(out, "brat", "*.txt"))) != len(docs):
    fail(f"brat: {n_brat} T lines for {n_ent} entities")
print(f"brat: {len(glob.glob(os.path.join(out, 'brat', '*.txt')))} documents, {n_brat} T lines")
# Parquet, read by DuckDB: same rows, in the same order, with the same values as each CSV
# (numbers compared as numbers, empty cells of optional columns as NULL).
import duckdb

con = duckdb.connect()
for table in ["entities", "stances", "actors", "corpus_actors"]:
    rows = list(csv.DictReader(open(os.path.join(out, f"{table}.csv"), encoding="utf-8")))
    rel = con.execute(f"SELECT * FROM read_parquet('{os.path.join(out, table + '.parquet')}')")
    cols = [d[0] for d in rel.description]
    got = rel.fetchall()
    if len(got) != len(rows):
        fail(f"parquet {table}: DuckDB reads {len(got)} rows, the CSV has {len(rows)}")
    if rows and cols != list(rows[0].keys()):
        fail(f"parquet {table}: columns {cols} vs {list(rows[0].keys())}")
    for i, (g, r) in enumerate(zip(got, rows)):
        for c, v in zip(cols, g):
            cell = r[c]
            same = (v is None and cell == "") or (isinstance(v, float) and v != v and cell == "NaN") \
                or (isinstance(v, float) and cell != "" and abs(v - float(cell)) <= 1e-9 * max(1.0, abs(v))) \
                or (not isinstance(v, float) and v is not None and str(v) == cell)
            if not same:
                fail(f"parquet {table} row {i + 2} {c}: DuckDB {v!r}, CSV {cell!r}")
                break
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{os.path.join(out, table + '.parquet')}'))").fetchall())
    print(f"parquet {table}: {len(got)} rows read by DuckDB {duckdb.__version__}, equal to the CSV ({', '.join(f'{c} {types[c]}' for c in cols[:4])}, …)")

print("all exports agree with entities.csv and the CSV tables" if ok else "exports disagree")
sys.exit(0 if ok else 1)
