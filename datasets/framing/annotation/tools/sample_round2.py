#!/usr/bin/env python3
"""Second annotation round (run once; kept for provenance): more sentences for the rarest frame.

Draws UN General Debate sentences that contain a hegemony cue word, from speeches that the first
round (sample_sentences.py) did not use, at most two per speech, seed 11. A cue only makes a
sentence a candidate: annotators label every frame from the codebook, and many cue sentences
carry no hegemony at all. Same split rule as round one (by speech id).
"""
import csv, hashlib, os, random, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_sentences import SHARED, clean, load_speeches, sentences, write_candidates  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "candidates-round2.csv")
CUE = re.compile(r"hegemon|dominat|domination|superpower|super-power|unilateral|imperialis|"
                 r"neo-?coloni|bully|coerc|diktat|big powers|great powers|\bbloc|containment|"
                 r"supremacy|multipolar|unipolar|democrati[sz]ation of international|arrogan|"
                 r"power politics|spheres? of influence|zero-sum|cold war", re.I)


def main():
    used = {r["doc"] for r in csv.DictReader(open(os.path.join(os.path.dirname(OUT), "candidates.csv")))}
    speeches = load_speeches()
    rng = random.Random(11)
    rng.shuffle(speeches)
    rows = []
    for sp in speeches:
        if sp["id"] in used:
            continue
        sents = [s for s in sentences(sp["text"]) if clean(s) and CUE.search(s)]
        rng.shuffle(sents)
        split = "test" if int(hashlib.sha1(sp["id"].encode()).hexdigest(), 16) % 5 == 0 else "train"
        for n, s in enumerate(sents[:2], 1):
            rows.append((f"{sp['id']}-h{n}", sp["id"], split, s))
        if len(rows) >= 300:
            break
    rows.sort()
    write_candidates(OUT, rows)


if __name__ == "__main__":
    main()
