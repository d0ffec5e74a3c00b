#!/usr/bin/env python3
"""Markdown table of stance dev scores from `pactwatch eval stance --gold dev --json` output
(or the "dev" object of models/stance-multi/training.json).
Usage: python3 scripts/stance_dev_table.py SCORES.json"""
import json, sys

d = json.load(open(sys.argv[1]))
d = d.get("dev", d)
print("| dev set | pairs | targets seen in training | macro-F1 | F_avg | accuracy | per label F1 |")
print("|---|---|---|---|---|---|---|")
for name, v in sorted(d.items()):
    r = v["report"]
    o = r["overall"]
    labels = ", ".join(f"{k} {x:.2f}" for k, x in sorted(o["per_label_f1"].items()))
    kind = " (binary)" if r["binary"] else ""
    print(f"| {name}{kind} | {o['n']} | {100 * v['seen_target_share']:.0f} % | {r['macro_f1']:.3f} | {r['f_avg']:.3f} | {o['accuracy']:.3f} | {labels} |")
