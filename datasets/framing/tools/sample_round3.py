#!/usr/bin/env python3
"""Third annotation round (run once; kept for provenance): grows the data set past 2,000
sentences and the frozen test split past 400.

Draws UN General Debate sentences from speeches that rounds one and two did not use, seed 23,
at most two per speech: 360 from speeches whose id puts them in the test split (hash rule of
round one) and 360 from training speeches; in each half, two thirds contain a frame cue word
(any frame) and one third are drawn uniformly, so that sentences with no frame stay represented.
"""
import csv, glob, hashlib, json, os, random, re, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_sentences import CUE, SHARED, sentences  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "candidates-round3.csv")


def is_test(speech_id):
    return int(hashlib.sha1(speech_id.encode()).hexdigest(), 16) % 5 == 0


def main():
    used = set()
    for name in ["candidates.csv", "candidates-round2.csv"]:
        used |= {r["doc"] for r in csv.DictReader(open(os.path.join(HERE, "..", name)))}
    speeches = []
    for path in sorted(glob.glob(os.path.join(SHARED, "corpus/ungdc/*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            speeches.extend(json.loads(line) for line in f)
    rng = random.Random(23)
    rng.shuffle(speeches)
    want = {("test", True): 240, ("test", False): 120, ("train", True): 240, ("train", False): 120}
    rows = []
    for sp in speeches:
        if sp["id"] in used or not any(want.values()):
            continue
        split = "test" if is_test(sp["id"]) else "train"
        sents = [s for s in sentences(sp["text"]) if 8 <= len(s.split()) <= 60
                 and not re.search(r"[^\x00-\x7f’“”‘–—]", s)]
        rng.shuffle(sents)
        taken = 0
        for s in sents:
            key = (split, bool(CUE.search(s)))
            if want[key] > 0 and taken < 2:
                want[key] -= 1
                taken += 1
                rows.append((f"{sp['id']}-r{taken}", sp["id"], split, s))
    rows.sort()
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "doc", "split", "text"])
        w.writerows(rows)
    print(len(rows), "sentences ->", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
