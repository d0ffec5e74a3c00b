#!/usr/bin/env python3
"""Run `pactwatch annotate` as an Apache Spark stage.

Each partition of a JSONL corpus is piped through one `pactwatch annotate - --stdout` process
(documents and error lines come back in input order); the results are written as partitioned
JSONL (`OUT/documents/part-*`, `OUT/errors/part-*`) plus the CSV tables `OUT/entities.csv/`, `OUT/stances.csv/`, `OUT/actors.csv/`
(Spark's partitioned CSV) and a `OUT/counts.json` summary (read = annotated + failed).

Local:   scripts/spark_annotate.sh corpora/sample.jsonl --out out/spark --master 'local[2]'
Cluster: see docs/scale.md, "Apache Spark".
"""
import argparse, json, os, subprocess, sys, threading


def annotate_partition(binary, model, extra):
    def run(lines):
        proc = subprocess.Popen([binary, "annotate", "-", "--stdout", "--quiet", "--ner-model", model] + extra,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        def feed():
            try:
                for line in lines:
                    proc.stdin.write(line.encode("utf-8") + b"\n")
            finally:
                proc.stdin.close()
        t = threading.Thread(target=feed, daemon=True)
        t.start()
        for out in proc.stdout:
            yield out.decode("utf-8").rstrip("\n")
        t.join()
        err = proc.stderr.read().decode("utf-8", "replace")
        code = proc.wait()
        if code not in (0, 1):  # 1 = some records failed (they are error lines in the stream)
            raise RuntimeError(f"pactwatch exited {code}: {err[-2000:]}")
    return run


def entity_rows(line):
    d = json.loads(line)
    if d.get("kind") != "document":
        return []
    return [(d["id"], i, e["sentence"], e["label"], e["text"], e["score"], e["char_start"], e["char_end"],
             e["byte_start"], e["byte_end"], d["lang"]["code"]) for i, e in enumerate(d["entities"])]


def stance_rows(line):
    d = json.loads(line)
    if d.get("kind") != "document":
        return []
    return [(d["id"], r["scope"], r["sentence"], r["target"], r["label"], r["probs"]["favor"], r["probs"]["against"],
             r["probs"]["none"], r["relevance"], r["relevant_by"], r["n_sentences"], r["holder"], r["cue"], d["lang"]["code"])
            for r in d["stances"]]


def actor_rows(line):
    d = json.loads(line)
    if d.get("kind") != "document":
        return []
    return [(d["id"], r["actor"], r["entity_label"], r["target"], r["label"], r["probs"]["favor"], r["probs"]["against"],
             r["probs"]["none"], " ".join(str(i) for i in r["evidence"]), r["mentions"], d["lang"]["code"],
             r.get("canonical_id", ""), str(d["metadata"].get("date", "") or "")) for r in d["actors"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", help="JSONL corpus (any path Spark reads: file, directory, hdfs://, s3a://)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--master", default=None, help="e.g. local[2]; default: from spark-submit")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--binary", default=os.path.abspath("target/release/pactwatch"))
    ap.add_argument("--ner-model", default=os.path.abspath("models/ner-multi"))
    ap.add_argument("--extra", default="", help="more annotate options, space-separated")
    a = ap.parse_args()
    from pyspark.sql import SparkSession
    b = SparkSession.builder.appName("pactwatch-annotate")
    if a.master:
        b = b.master(a.master)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    lines = spark.sparkContext.textFile(a.input, minPartitions=a.partitions).filter(lambda l: l.strip())
    out = lines.mapPartitions(annotate_partition(a.binary, a.ner_model, a.extra.split())).cache()
    kinds = out.map(lambda l: json.loads(l)["kind"])
    docs = out.filter(lambda l: json.loads(l)["kind"] == "document")
    errs = out.filter(lambda l: json.loads(l)["kind"] == "error")
    docs.saveAsTextFile(os.path.join(a.out, "documents"))
    errs.saveAsTextFile(os.path.join(a.out, "errors"))
    cols = ["doc_id", "entity_index", "sentence", "label", "text", "score", "char_start", "char_end", "byte_start", "byte_end", "lang"]
    spark.createDataFrame(docs.flatMap(entity_rows), schema=cols).write.option("header", True).csv(os.path.join(a.out, "entities.csv"))
    # The same columns as stances.csv and actors.csv of a single-process run.
    from pyspark.sql.types import StructType, StructField, StringType, LongType, DoubleType
    S, L, D = StringType(), LongType(), DoubleType()
    stance_schema = StructType([StructField(n, t, True) for n, t in [
        ("doc_id", S), ("scope", S), ("sentence", L), ("target", S), ("label", S), ("p_favor", D), ("p_against", D), ("p_none", D),
        ("relevance", D), ("relevant_by", S), ("n_sentences", L), ("holder", S), ("cue", S), ("lang", S)]])
    actor_schema = StructType([StructField(n, t, True) for n, t in [
        ("doc_id", S), ("actor", S), ("entity_label", S), ("target", S), ("label", S), ("p_favor", D), ("p_against", D), ("p_none", D),
        ("evidence", S), ("mentions", L), ("lang", S), ("canonical_id", S), ("date", S)]])
    spark.createDataFrame(docs.flatMap(stance_rows), schema=stance_schema).write.option("header", True).csv(os.path.join(a.out, "stances.csv"))
    spark.createDataFrame(docs.flatMap(actor_rows), schema=actor_schema).write.option("header", True).csv(os.path.join(a.out, "actors.csv"))
    n_read = lines.count()
    by_kind = dict(kinds.countByValue())
    counts = {"read": n_read, "annotated": by_kind.get("document", 0), "failed": by_kind.get("error", 0)}
    with open(os.path.join(a.out, "counts.json"), "w") as f:
        json.dump(counts, f)
    print(json.dumps(counts))
    spark.stop()
    if counts["read"] != counts["annotated"] + counts["failed"]:
        sys.exit("record accounting failed: " + json.dumps(counts))


if __name__ == "__main__":
    main()
