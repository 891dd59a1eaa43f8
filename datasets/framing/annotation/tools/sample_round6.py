#!/usr/bin/env python3
"""Sixth annotation round (run once; kept for provenance): 600 more training sentences, two
kinds.

- 360 UN General Debate sentences from training-split speeches that no earlier round used, seed
  53, at most two per speech: 240 with a hegemony cue (round two's list), 120 with a cue of
  another frame (round one's list).
- 240 sentences of present-day English news: PTC articles (SemEval-2020 Task 11, the
  training articles of datasets/tagging/, so the tagger's test articles stay unseen), at most
  three per article: 160 that name a foreign state or international actor or carry a frame cue,
  80 drawn uniformly. Every earlier training sentence is a UN speech or one of 23 official
  articles; these widen the outlets and the years the frame head learns from.
The test split is untouched. Also writes round6-context.jsonl (each sentence with its
neighbours) for the annotators.
"""
import csv, json, os, random, re, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round2 import CUE as HEGEMONY_CUE  # noqa: E402
from sample_round3 import is_test  # noqa: E402
from sample_sentences import CUE, draw, load_speeches, sentences, write_candidates, write_context  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "candidates-round6.csv")
TAGGING = os.path.join(HERE, "..", "..", "..", "tagging", "train.jsonl")
INTERNATIONAL = re.compile(
    r"China|Chinese|Russia|Iran|Korea|Syria|NATO|United Nations|\bU\.?N\.?\b|sanction|foreign|"
    r"allies|alliance|treaty|diplomat|Putin|Beijing|Moscow|Pyongyang|Tehran|Israel|Saudi|Europe|"
    r"Pentagon|military|missile|nuclear|trade war|tariff", re.I)


def un_rows(rng, rows, context):
    used = set()
    for name in ["candidates.csv", "candidates-round2.csv", "candidates-round3.csv",
                 "candidates-round4.csv", "candidates-round5.csv"]:
        used |= {r["doc"] for r in csv.DictReader(open(os.path.join(HERE, "..", name)))}
    speeches = load_speeches()
    rng.shuffle(speeches)
    want = {"hegemony": 240, "other": 120}

    def kind_of(s):
        return "hegemony" if HEGEMONY_CUE.search(s) else "other" if CUE.search(s) else None

    for sp in speeches:
        if sp["id"] in used or is_test(sp["id"]) or not any(want.values()):
            continue
        draw(sp["id"], list(sentences(sp["text"])), rng, kind_of, want, 2, "x", rows, context)


def ptc_rows(rng, rows, context):
    articles = defaultdict(list)
    for line in open(TAGGING, encoding="utf-8"):
        r = json.loads(line)
        if r["source"] == "ptc":
            articles[r["doc"]].append(r["text"])
    docs = sorted(articles)
    rng.shuffle(docs)
    want = {"international": 160, "plain": 80}

    def kind_of(s):
        return "international" if INTERNATIONAL.search(s) or CUE.search(s) else "plain"

    for doc in docs:
        if not any(want.values()):
            break
        draw(doc, articles[doc], rng, kind_of, want, 3, "x", rows, context)


def main():
    rng = random.Random(53)
    rows, context = [], {}
    un_rows(rng, rows, context)
    ptc_rows(rng, rows, context)
    rows.sort()
    write_candidates(OUT, rows)
    write_context(os.path.join(HERE, "..", "round6-context.jsonl"), rows, context)


if __name__ == "__main__":
    main()
