#!/usr/bin/env python3
"""Fourth annotation round (run once; kept for provenance): 100 more hegemony-cue sentences
(same cue list as round two) from training-split speeches no earlier round used, seed 31, one
per speech, so that every frame has at least 250 positive sentences overall."""
import csv, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round2 import CUE  # noqa: E402
from sample_round3 import is_test  # noqa: E402
from sample_sentences import SHARED, clean, load_speeches, sentences, write_candidates  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "candidates-round4.csv")


def main():
    used = set()
    for name in ["candidates.csv", "candidates-round2.csv", "candidates-round3.csv"]:
        used |= {r["doc"] for r in csv.DictReader(open(os.path.join(HERE, "..", name)))}
    speeches = load_speeches()
    rng = random.Random(31)
    rng.shuffle(speeches)
    rows = []
    for sp in speeches:
        if sp["id"] in used or is_test(sp["id"]):
            continue
        sents = [s for s in sentences(sp["text"]) if clean(s) and CUE.search(s)]
        if sents:
            rows.append((f"{sp['id']}-g1", sp["id"], "train", rng.choice(sents)))
        if len(rows) >= 100:
            break
    rows.sort()
    write_candidates(OUT, rows)


if __name__ == "__main__":
    main()
