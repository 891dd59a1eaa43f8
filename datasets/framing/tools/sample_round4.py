#!/usr/bin/env python3
"""Fourth annotation round (run once; kept for provenance): 100 more hegemony-cue sentences
(same cue list as round two) from training-split speeches no earlier round used, seed 31, one
per speech, so that every frame has at least 250 positive sentences overall."""
import csv, glob, json, os, random, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round2 import CUE  # noqa: E402
from sample_round3 import is_test  # noqa: E402
from sample_sentences import SHARED, sentences  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "candidates-round4.csv")


def main():
    used = set()
    for name in ["candidates.csv", "candidates-round2.csv", "candidates-round3.csv"]:
        used |= {r["doc"] for r in csv.DictReader(open(os.path.join(HERE, "..", name)))}
    speeches = []
    for path in sorted(glob.glob(os.path.join(SHARED, "corpus/ungdc/*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            speeches.extend(json.loads(line) for line in f)
    rng = random.Random(31)
    rng.shuffle(speeches)
    rows = []
    for sp in speeches:
        if sp["id"] in used or is_test(sp["id"]):
            continue
        sents = [s for s in sentences(sp["text"]) if 8 <= len(s.split()) <= 60 and CUE.search(s)
                 and not re.search(r"[^\x00-\x7f’“”‘–—]", s)]
        if sents:
            rows.append((f"{sp['id']}-g1", sp["id"], "train", rng.choice(sents)))
        if len(rows) >= 100:
            break
    rows.sort()
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "doc", "split", "text"])
        w.writerows(rows)
    print(len(rows), "sentences ->", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
