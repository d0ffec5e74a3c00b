#!/usr/bin/env python3
"""The Python reference for `pactwatch bench`: the same documents and the same model weights
through Hugging Face `transformers` in Python, on the same number of threads.

- NER: `pipeline("token-classification", aggregation_strategy="first")` on every sentence
  (windows of 128 tokens with a stride of 32, as pactwatch's defaults);
- relevance: the e5 encoder, mean-pooled "passage: " embeddings of every sentence, cosine to
  the target description (every sentence: the reference has no prefilter);
- stance: `pipeline("text-classification")` on the same (target, sentence) strings pactwatch
  scored (its relevant sentences).

Sentence boundaries are taken from pactwatch's documents.jsonl (segmentation is not what is
being compared; reading and the three model stages are). Entities are compared as (document,
start, end, label) with punctuation stripped from both ends on both sides; agreement is the
F1 of one side against the other. Prints one JSON object.

Run through scripts/bench_reference.sh (virtual environment) or scripts/bench.sh (both sides).
"""
import argparse, json, os, resource, sys, time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", required=True, help="pactwatch's documents.jsonl of the same run")
    ap.add_argument("--input", required=True, help="the input JSONL the documents came from")
    ap.add_argument("--ner", required=True, help="exported NER model directory (pactwatch export-model)")
    ap.add_argument("--stance", required=True, help="exported stance model directory")
    ap.add_argument("--relevance", required=True, help="e5 encoder directory")
    ap.add_argument("--description", required=True, help="target description (relevance query)")
    ap.add_argument("--query", required=True, help="target stance query")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--backend", choices=["torch", "onnx-fp32", "onnx-int8"], default="torch",
                    help="torch: the transformers models in PyTorch fp32; onnx-*: the same weights exported with "
                         "torch.onnx.export and run by ONNX Runtime through optimum (onnx-int8: "
                         "onnxruntime.quantization.quantize_dynamic, int8 weights, activations quantized per call)")
    ap.add_argument("--onnx-dir", help="where the ONNX exports go (default: a temporary directory)")
    ap.add_argument("--diff", help="write the entities found by one side only to this JSONL file")
    ap.add_argument("--compare", action="append", default=[], metavar="NAME=DOCUMENTS",
                    help="also report the agreement with another pactwatch documents.jsonl of the same documents "
                         "(e.g. one annotated with --word-rule hf)")
    a = ap.parse_args()

    import torch
    from transformers import (AutoModel, AutoModelForSequenceClassification, AutoModelForTokenClassification,
                              PreTrainedTokenizerFast, pipeline)
    torch.set_num_threads(a.threads)

    def tokenizer(d, max_len):
        t = PreTrainedTokenizerFast(tokenizer_file=os.path.join(d, "tokenizer.json"), bos_token="<s>", eos_token="</s>",
                                    unk_token="<unk>", sep_token="</s>", cls_token="<s>", pad_token="<pad>", mask_token="<mask>")
        t.model_max_length = max_len
        return t

    from safetensors.torch import load_file
    from transformers import AutoConfig

    def load(cls, d, **kw):
        # pactwatch writes safetensors without the {"format": "pt"} header transformers asks
        # for; build from config and load the state dict, refusing any missing weight.
        m = cls.from_config(AutoConfig.from_pretrained(d), **kw)
        missing, unexpected = m.load_state_dict(load_file(os.path.join(d, "model.safetensors")), strict=False)
        missing = [k for k in missing if not k.endswith("position_ids")]
        if missing or unexpected:
            sys.exit(f"{d}: missing {missing[:5]} unexpected {unexpected[:5]}")
        return m.eval()

    ours = [json.loads(l) for l in open(a.documents, encoding="utf-8")]
    want = {d["id"] for d in ours}
    t_load = time.perf_counter()
    ner_model = load(AutoModelForTokenClassification, a.ner)
    st_model = load(AutoModelForSequenceClassification, a.stance)
    enc = load(AutoModel, a.relevance, add_pooling_layer=False)
    if a.backend != "torch":
        ner_model, st_model, enc = to_onnx(a, [(ner_model, "ner", "logits"), (st_model, "stance", "logits"), (enc, "relevance", "last_hidden_state")])
    ner = pipeline("token-classification", model=ner_model, tokenizer=tokenizer(a.ner, 128), aggregation_strategy="first", device=-1)
    cls = pipeline("text-classification", model=st_model, tokenizer=tokenizer(a.stance, 128), top_k=None, device=-1)
    etok = tokenizer(a.relevance, 256)
    load_s = time.perf_counter() - t_load

    t0 = time.perf_counter()
    # Read: the same records from the input file.
    docs = {}
    with open(a.input, encoding="utf-8") as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if str(r.get("id")) in want:
                docs[str(r["id"])] = r["text"]
            if len(docs) == len(want):
                break
    t_read = time.perf_counter()
    sents = []  # (doc id, char offset, text)
    for d in ours:
        text = docs[d["id"]]
        for s in d["sentences"]:
            sents.append((d["id"], s["char_start"], text[s["char_start"]:s["char_end"]]))
    # NER
    ents = set()
    with torch.inference_mode():
        out = ner([s[2] for s in sents], batch_size=a.batch_size, stride=32)
    for (doc, off, _), es in zip(sents, out):
        for e in es:
            ents.add((doc, off + e["start"], off + e["end"], e["entity_group"]))
    t_ner = time.perf_counter()
    # Relevance: mean-pooled e5 embeddings of every sentence.
    with torch.inference_mode():
        q = etok(["query: " + a.description], return_tensors="pt")
        qv = enc(**q).last_hidden_state.mean(1)
        qv = qv / qv.norm(dim=-1, keepdim=True)
        order = sorted(range(len(sents)), key=lambda i: len(sents[i][2]))
        for i in range(0, len(order), a.batch_size):
            batch = ["passage: " + sents[j][2] for j in order[i:i + a.batch_size]]
            x = etok(batch, return_tensors="pt", padding=True, truncation=True)
            h = enc(**x).last_hidden_state
            m = x["attention_mask"].unsqueeze(-1).float()
            v = (h * m).sum(1) / m.sum(1)
            _ = (v / v.norm(dim=-1, keepdim=True)) @ qv.T
    t_rel = time.perf_counter()
    # Stance on the pairs pactwatch found relevant.
    pairs = []
    for d in ours:
        text = docs[d["id"]]
        for r in d["stances"]:
            if r["scope"] == "sentence":
                s = d["sentences"][r["sentence"]]
                pairs.append(f"query: {a.query.strip()}\npassage: {text[s['char_start']:s['char_end']].strip()}")
    with torch.inference_mode():
        _ = cls(pairs, batch_size=32, truncation=True) if pairs else []
    t_end = time.perf_counter()

    strip = ".,;:!?\"'«»“”„()[]"
    def norm(doc_text, s, e):
        while s < e and (doc_text[s].isspace() or doc_text[s] in strip):
            s += 1
        while e > s and (doc_text[e - 1].isspace() or doc_text[e - 1] in strip):
            e -= 1
        return s, e
    def entity_set(documents):  # pactwatch documents.jsonl records → normalised entities
        return {(d["id"], *norm(docs[d["id"]], e["char_start"], e["char_end"]), e["label"])
                for d in documents if d.get("id") in docs for e in d["entities"]}
    theirs = {(d, *norm(docs[d], s, e), l) for (d, s, e, l) in ents}
    mine = entity_set(ours)
    both = len(theirs & mine)
    also = {}
    for spec in a.compare:
        name, path = spec.split("=", 1)
        with open(path, encoding="utf-8") as f:
            other = entity_set(map(json.loads, f))
        n = len(theirs & other)
        also[name] = {"pactwatch_entities": len(other), "entities_in_both": n, "entity_agreement": 2 * n / max(1, len(theirs) + len(other))}
    if a.diff:
        with open(a.diff, "w", encoding="utf-8") as f:
            for side, only in (("reference", theirs - mine), ("pactwatch", mine - theirs)):
                for (d, s, e, l) in sorted(only):
                    f.write(json.dumps({"only": side, "doc": d, "start": s, "end": e, "label": l, "text": docs[d][s:e],
                                        "context": docs[d][max(0, s - 40):e + 40]}, ensure_ascii=False) + "\n")
    agreement = 2 * both / max(1, len(theirs) + len(mine))
    wall = t_end - t0
    n_tokens = sum(d["coverage"]["tokens"] for d in ours)
    print(json.dumps({
        "side": "python-transformers" if a.backend == "torch" else f"python-onnxruntime-{a.backend[5:]}", "backend": a.backend,
        "torch": torch.__version__, "onnxruntime": ort_version(a.backend), "threads": torch.get_num_threads(),
        "docs": len(ours), "sentences": len(sents), "stance_pairs": len(pairs), "model_load_s": load_s, "wall_s": wall,
        "docs_per_s": len(ours) / wall, "tokens_per_s": n_tokens / wall,
        "stages": {"read_s": t_read - t0, "ner_s": t_ner - t_read, "relevance_s": t_rel - t_ner, "stance_s": t_end - t_rel},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "entities": len(theirs), "pactwatch_entities": len(mine), "entities_in_both": both, "entity_agreement": agreement,
        "compare": also,
    }))


def ort_version(backend):
    if backend == "torch":
        return None
    import onnxruntime
    return onnxruntime.__version__


def to_onnx(a, models):
    """Each torch model exported to ONNX (opset 17, batch and sequence axes dynamic), int8 by
    quantize_dynamic for onnx-int8, and loaded as an optimum ORTModel on a CPU session with
    --threads intra-op threads, so that the same transformers pipelines drive it."""
    import tempfile
    import torch
    import onnxruntime as ort
    from optimum.onnxruntime import ORTModelForFeatureExtraction, ORTModelForSequenceClassification, ORTModelForTokenClassification
    root = a.onnx_dir or tempfile.mkdtemp(prefix="pactwatch-onnx-")
    classes = {"ner": ORTModelForTokenClassification, "stance": ORTModelForSequenceClassification, "relevance": ORTModelForFeatureExtraction}
    out = []
    for model, name, output in models:
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        model.config.save_pretrained(d)
        path = os.path.join(d, "model.onnx")
        ids = torch.ones(2, 16, dtype=torch.long)
        mask = torch.ones(2, 16, dtype=torch.long)

        class Wrapped(torch.nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, input_ids, attention_mask):
                return getattr(self.m(input_ids=input_ids, attention_mask=attention_mask), output)

        with torch.no_grad():
            torch.onnx.export(Wrapped(model), (ids, mask), path, input_names=["input_ids", "attention_mask"], output_names=[output],
                              dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                            output: {0: "batch", 1: "sequence"} if output != "logits" or name == "ner" else {0: "batch"}},
                              opset_version=17, do_constant_folding=True)
        file_name = "model.onnx"
        if a.backend == "onnx-int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic
            quantize_dynamic(path, os.path.join(d, "model_int8.onnx"), weight_type=QuantType.QInt8)
            file_name = "model_int8.onnx"
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        out.append(classes[name].from_pretrained(d, file_name=file_name, provider="CPUExecutionProvider", session_options=so,
                                                 use_io_binding=False))
    return out


if __name__ == "__main__":
    main()
