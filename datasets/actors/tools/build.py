#!/usr/bin/env python3
"""Builds datasets/actors/*.jsonl from the coders' label files (one line per sentence:
{"id", "mentions": [{"mention", "occurrence", "actor", "stance"}]}) and the pools they labelled
({"id", "doc", "family", "text"}).

Output lines follow NewsMTSC's JSONL format (so `framescore eval --stance` reads them as it reads
NewsMTSC), plus `doc`, `family`, `source` and each target's `actor`: `sentence_normalized`,
`primary_gid`, `targets` with `from`/`to` code-point offsets (end exclusive), `mention`,
`polarity` (2.0 negative, 4.0 neutral, 6.0 positive). A leading "the"/"The" is cut from mentions
(the codebook's mention is the shortest span that names the actor).

usage: build.py POOL LABELS [POOL LABELS ...] > out.jsonl
"""
import json
import sys

POLARITY = {"negative": 2.0, "neutral": 4.0, "positive": 6.0}


def find(text, mention, occurrence):
    at = -1
    for _ in range(occurrence):
        at = text.find(mention, at + 1)
        if at < 0:
            raise SystemExit(f"{mention!r} occurrence {occurrence} not in {text!r}")
    return at


def main(args):
    for pool, labels in zip(args[::2], args[1::2]):
        rows = {json.loads(l)["id"]: json.loads(l) for l in open(pool)}
        for line in open(labels):
            lab = json.loads(line)
            row = rows[lab["id"]]
            text = row["text"]
            targets = []
            for m in lab["mentions"]:
                start = find(text, m["mention"], m.get("occurrence", 1))
                mention = m["mention"]
                for article in ("the ", "The "):
                    if mention.startswith(article) and len(mention) > len(article):
                        mention = mention[len(article):]
                        start += len(article)
                targets.append({
                    "from": start,
                    "to": start + len(mention),
                    "mention": mention,
                    "polarity": POLARITY[m["stance"]],
                    "actor": m["actor"],
                })
            print(json.dumps({
                "primary_gid": row["id"],
                "doc": row["doc"],
                "family": row["family"],
                "source": "annotated",
                "sentence_normalized": text,
                "targets": targets,
            }, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
