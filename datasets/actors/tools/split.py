#!/usr/bin/env python3
"""Splits annotated.jsonl into train.jsonl and test.jsonl by document: a document goes to the
test split when the first hex digit of the MD5 of its `doc` is below 8 (about half), except the
design article (mondo-2024-01-28-nasa-china-lunar-samples), which is always trained on, as for
the frames. Sentences of one document never land on both sides.

usage: split.py annotated.jsonl OUT_DIR
"""
import hashlib
import json
import sys

DESIGN = "mondo-2024-01-28-nasa-china-lunar-samples"


def main(path, out):
    train = open(f"{out}/train.jsonl", "w")
    test = open(f"{out}/test.jsonl", "w")
    for line in open(path):
        doc = json.loads(line)["doc"]
        held = DESIGN not in doc and hashlib.md5(doc.encode()).hexdigest()[0] < "8"
        (test if held else train).write(line)


if __name__ == "__main__":
    main(*sys.argv[1:3])
