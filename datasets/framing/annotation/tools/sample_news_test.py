#!/usr/bin/env python3
"""Draws the out-of-domain news test set (run once; kept for provenance): every sentence of the
PTC articles that datasets/tagging/ holds out for testing (SemEval-2020 Task 11 news, outlets
nothing in training comes from), taking the articles with the most international or frame cues
first until about 450 sentences, each article's first 25 sentences (its opening, as the shared
articles are), so the set can be scored as article files with their context. Nothing here ever enters training: the tagger's test articles are excluded from
every training round (see sample_round6.py and sample_round7.py). Writes news-test-candidates.csv
and news-test-context.jsonl.
"""
import json, os, re, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round7 import INTERNATIONAL  # noqa: E402
from sample_sentences import CUE, write_candidates  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.join(HERE, "..", "..", "..")


def main():
    articles = defaultdict(list)
    for line in open(os.path.join(DATASETS, "tagging", "test.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        if r["source"] == "ptc":
            articles[r["doc"]].append(r["text"])
    def cues(doc):
        return sum(bool(INTERNATIONAL.search(s) or CUE.search(s)) for s in articles[doc])
    order = sorted(articles, key=lambda d: (-cues(d), d))
    rows, context = [], {}
    for doc in order:
        if len(rows) >= 450:
            break
        sents = [s for s in articles[doc] if len(s.split()) >= 3][:25]
        for i, s in enumerate(sents):
            sid = f"{doc}-t{i:03d}"
            rows.append((sid, doc, "news-test", s))
            context[sid] = {"before": sents[i - 1] if i else "", "after": sents[i + 1] if i + 1 < len(sents) else ""}
    write_candidates(os.path.join(HERE, "..", "news-test-candidates.csv"), rows)
    with open(os.path.join(HERE, "..", "news-test-context.jsonl"), "w", encoding="utf-8") as f:
        for sid, doc, _, text in rows:
            f.write(json.dumps({"id": sid, "doc": doc, "text": text, **context[sid]}) + "\n")
    print(len({r[1] for r in rows}), "articles", file=sys.stderr)


if __name__ == "__main__":
    main()
