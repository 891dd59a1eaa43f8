#!/usr/bin/env python3
"""Fifth annotation round (run once; kept for provenance): more training sentences, so that the
frame head learns from about as many rows as the bias head it is tuned with (the tuning loop
already cycles the smaller task to the larger one's length, so this adds no training time).

Draws 840 UN General Debate sentences from training-split speeches that no earlier round used,
seed 41, at most two per speech: 360 with a hegemony cue (round two's list; hegemony is still the
weakest frame), 240 with a cue of any other frame (round one's list) and 240 with no cue, so that
sentences with no frame stay represented. The test split is untouched. Also writes
round5-context.jsonl (each sentence with its neighbours) for the annotators; not needed to build
the splits.
"""
import csv, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round2 import CUE as HEGEMONY_CUE  # noqa: E402
from sample_round3 import is_test  # noqa: E402
from sample_sentences import CUE, draw, load_speeches, sentences, write_candidates, write_context  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "candidates-round5.csv")


def main():
    used = set()
    for name in ["candidates.csv", "candidates-round2.csv", "candidates-round3.csv",
                 "candidates-round4.csv"]:
        used |= {r["doc"] for r in csv.DictReader(open(os.path.join(HERE, "..", name)))}
    speeches = load_speeches()
    rng = random.Random(41)
    rng.shuffle(speeches)
    want = {"hegemony": 360, "other": 240, "plain": 240}
    rows, context = [], {}

    def kind_of(s):
        return "hegemony" if HEGEMONY_CUE.search(s) else "other" if CUE.search(s) else "plain"

    for sp in speeches:
        if sp["id"] in used or is_test(sp["id"]) or not any(want.values()):
            continue
        draw(sp["id"], list(sentences(sp["text"])), rng, kind_of, want, 2, "f", rows, context)
    rows.sort()
    write_candidates(OUT, rows)
    write_context(os.path.join(HERE, "..", "round5-context.jsonl"), rows, context)


if __name__ == "__main__":
    main()
