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
import csv, json, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round2 import CUE as HEGEMONY_CUE  # noqa: E402
from sample_round3 import is_test  # noqa: E402
from sample_sentences import CUE, clean, load_speeches, sentences, write_candidates  # noqa: E402

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
    for sp in speeches:
        if sp["id"] in used or is_test(sp["id"]) or not any(want.values()):
            continue
        all_sents = list(sentences(sp["text"]))
        order = list(range(len(all_sents)))
        rng.shuffle(order)
        taken = 0
        for i in order:
            s = all_sents[i]
            if not clean(s) or taken == 2:
                continue
            kind = "hegemony" if HEGEMONY_CUE.search(s) else "other" if CUE.search(s) else "plain"
            if want[kind] == 0:
                continue
            want[kind] -= 1
            taken += 1
            sid = f"{sp['id']}-f{taken}"
            rows.append((sid, sp["id"], "train", s))
            context[sid] = {
                "before": all_sents[i - 1] if i > 0 else "",
                "after": all_sents[i + 1] if i + 1 < len(all_sents) else "",
            }
    rows.sort()
    write_candidates(OUT, rows)
    with open(os.path.join(HERE, "..", "round5-context.jsonl"), "w", encoding="utf-8") as f:
        for sid, doc, _, text in rows:
            f.write(json.dumps({"id": sid, "doc": doc, "text": text, **context[sid]}) + "\n")


if __name__ == "__main__":
    main()
