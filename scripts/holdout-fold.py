#!/usr/bin/env python3
"""Writes one fold of the tuned family-holdout check (issue 15): a frame training file without a
whole family of sources, and every real sentence of that family (train and test split alike)
as its gold file, so that `framescore tune` can be scored on sources it never saw.

scripts/ood-report.py ranks training-data variants with frozen-encoder heads in minutes; this
fold is the slower check of the tuned model itself (one `framescore tune`, about 17 minutes on
2 cores). Families: the `source` values of datasets/framing/ (un, cn-official, us-official,
news), or `articles`: the 31 sample articles of ../shared/corpus/articles/ and the design
article (ids `art-*`: Chinese and US official texts, UN and VOA news on space and US-China
relations, 380 sentences), the real sentences closest to what the tool is pointed at.

    python3 scripts/holdout-fold.py articles /tmp/fold
    target/release/framescore tune --out /tmp/fold/models \
        --task frames=/tmp/fold/train.csv --task bias=datasets/babe/train.csv \
        --task tagger=datasets/tagging/train.jsonl --test frames=/tmp/fold/heldout.csv

Round 8's synthetic sentences (a training file of their own) are measured the same way, with
`--task frames=datasets/framing/synthetic-r8.csv --task tagger=datasets/tagging/synthetic-r8.jsonl`
added to the tune command.
"""
import argparse, csv, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "datasets", "framing")


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def in_family(row, family):
    return row["id"].startswith("art-") if family == "articles" else row["source"] == family


def write(path, rows, columns):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("family", help="articles, un, cn-official, us-official or news")
    ap.add_argument("out", help="folder to write train.csv and heldout.csv into")
    args = ap.parse_args()
    train = read(os.path.join(DATA, "train.csv"))
    test = read(os.path.join(DATA, "test.csv"))
    columns = list(train[0].keys())
    fit = [r for r in train if not in_family(r, args.family)]
    held = [r for r in train + test if in_family(r, args.family) and r["source"] != "synthetic"]
    if not held:
        raise SystemExit(f"no real rows of family {args.family!r}")
    os.makedirs(args.out, exist_ok=True)
    write(os.path.join(args.out, "train.csv"), fit, columns)
    write(os.path.join(args.out, "heldout.csv"), held, columns)
    print(f"{args.out}/train.csv: {len(fit)} rows; {args.out}/heldout.csv: {len(held)} rows of {args.family}")


if __name__ == "__main__":
    main()
