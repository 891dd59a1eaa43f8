#!/usr/bin/env python3
"""Builds train.csv and test.csv for the sentence-bias head from BABE (../../shared/data/babe/).

Keeps rows labelled Biased or Non-biased (drops the one "No agreement" row), label `biased`
1/0; a seeded (seed 13) 80/20 split stratified by label. `doc` is the outlet plus topic, so
cross-validation folds in `framescore train` keep sentences of one outlet-topic together.
"""
import csv, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "../../../../shared/data/babe/train.csv"))


def main():
    rows = [r for r in csv.DictReader(open(SRC, encoding="utf-8")) if r["label_bias"] in ("Biased", "Non-biased")]
    rng = random.Random(13)
    out = {"train": [], "test": []}
    for label in ("Biased", "Non-biased"):
        group = [r for r in rows if r["label_bias"] == label]
        rng.shuffle(group)
        cut = len(group) // 5
        for i, r in enumerate(group):
            out["test" if i < cut else "train"].append(r)
    for split, rs in out.items():
        rs.sort(key=lambda r: r["id"])
        with open(os.path.join(HERE, "..", f"{split}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "doc", "text", "biased", "note"])
            for r in rs:
                doc = f"{r['outlet'].lower().replace(' ', '-')}/{r['topic'].lower()}"
                w.writerow([r["id"], doc, r["text"], int(r["label_bias"] == "Biased"), ""])
        print(split, len(rs), sum(r["label_bias"] == "Biased" for r in rs))


if __name__ == "__main__":
    main()
