#!/usr/bin/env python3
"""Third annotation round (run once; kept for provenance): grows the data set past 2,000
sentences and the frozen test split past 400.

Draws UN General Debate sentences from speeches that rounds one and two did not use, seed 23,
at most two per speech: 360 from speeches whose id puts them in the test split (hash rule of
round one) and 360 from training speeches; in each half, two thirds contain a frame cue word
(any frame) and one third are drawn uniformly, so that sentences with no frame stay represented.
"""
import csv, hashlib, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_sentences import CUE, SHARED, clean, load_speeches, sentences, write_candidates  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "candidates-round3.csv")


def is_test(speech_id):
    return int(hashlib.sha1(speech_id.encode()).hexdigest(), 16) % 5 == 0


def main():
    used = set()
    for name in ["candidates.csv", "candidates-round2.csv"]:
        used |= {r["doc"] for r in csv.DictReader(open(os.path.join(HERE, "..", name)))}
    speeches = load_speeches()
    rng = random.Random(23)
    rng.shuffle(speeches)
    want = {("test", True): 240, ("test", False): 120, ("train", True): 240, ("train", False): 120}
    rows = []
    for sp in speeches:
        if sp["id"] in used or not any(want.values()):
            continue
        split = "test" if is_test(sp["id"]) else "train"
        sents = [s for s in sentences(sp["text"]) if clean(s)]
        rng.shuffle(sents)
        taken = 0
        for s in sents:
            key = (split, bool(CUE.search(s)))
            if want[key] > 0 and taken < 2:
                want[key] -= 1
                taken += 1
                rows.append((f"{sp['id']}-r{taken}", sp["id"], split, s))
    rows.sort()
    write_candidates(OUT, rows)


if __name__ == "__main__":
    main()
