#!/usr/bin/env python3
"""Builds datasets/tagging/{train,test}.jsonl: sentences with the character spans of loaded
wording, for the learned loaded-term tagger (`framescore train-tagger`, `eval --tagger`).

Sources (see ../README.md for provenance and licences):
  - BABE (../../shared/data/babe/train.csv): each sentence with the words expert annotators
    marked as biased (`biased_words`). Every whole-word, case-insensitive occurrence of a marked
    word in its sentence is a span. The train/test split is the sentence-bias split of
    datasets/babe/ (same ids), so no test sentence of either task is trained on.
  - PTC (../../shared/data/ptc/train.jsonl): news articles with propaganda-technique spans; the
    Loaded_Language and Name_Calling,Labeling spans are kept. Articles are split by article
    (seed 13, 15% to test); each line of an article is one sentence, spans are clipped to lines.
  - Codebook spans (datasets/framing/annotation/): the loaded terms marked, per CODEBOOK.md, on the
    same sentences as the frame labels of round 7 (source `codebook`: PTC, BABE, NewsMTSC news and
    UN speeches, training only), on the declared synthetic sentences (source `synthetic`,
    training only) and on the out-of-domain news test set (source `news-test`: the PTC test
    articles, test only). Every exact occurrence of a marked term in its sentence is a span.
Offsets are Unicode code points into `text`, end exclusive. Run from the repository root:
    python3 datasets/tagging/tools/build.py
"""
import csv, json, os, random, re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
OUT = os.path.join(ROOT, "datasets", "tagging")
TECHNIQUES = {"Loaded_Language", "Name_Calling,Labeling"}


def babe():
    split = {}
    for part in ("train", "test"):
        with open(os.path.join(ROOT, "datasets", "babe", f"{part}.csv"), newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                split[r["id"]] = (part, r["doc"])
    rows = {"train": [], "test": []}
    with open(os.path.join(SHARED, "babe", "train.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["id"] not in split:
                continue
            part, doc = split[r["id"]]
            text = r["text"]
            try:
                words = json.loads(r["biased_words"] or "[]")
            except json.JSONDecodeError:
                words = []
            spans = set()
            for w in words:
                w = w.strip()
                if not w:
                    continue
                for m in re.finditer(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text, flags=re.IGNORECASE):
                    spans.add((m.start(), m.end()))
            rows[part].append({"id": r["id"], "doc": "babe:" + doc, "source": "babe", "text": text,
                               "spans": sorted(spans)})
    return rows


def ptc():
    articles = [json.loads(l) for l in open(os.path.join(SHARED, "ptc", "train.jsonl"), encoding="utf-8")]
    ids = sorted(a["id"] for a in articles)
    random.Random(13).shuffle(ids)
    test_ids = set(ids[: round(len(ids) * 0.15)])
    rows = {"train": [], "test": []}
    for a in articles:
        part = "test" if a["id"] in test_ids else "train"
        spans = [(s["start"], s["end"]) for s in a["spans"] if s["technique"] in TECHNIQUES]
        pos = 0
        for n, line in enumerate(a["text"].split("\n")):
            start, end = pos, pos + len(line)
            pos = end + 1
            lead = len(line) - len(line.lstrip())
            body = line.strip()
            if len(body) < 3:
                continue
            b0 = start + lead
            b1 = b0 + len(body)
            local = sorted({(max(s, b0) - b0, min(e, b1) - b0) for s, e in spans if s < b1 and e > b0})
            local = [(s, e) for s, e in local if e > s and body[s:e].strip()]
            rows[part].append({"id": f"{a['id']}-{n:03d}", "doc": a["id"], "source": "ptc", "text": body,
                               "spans": local})
    return rows


def term_spans(text, terms):
    spans = set()
    for t in (t.strip() for t in terms.split(" | ")):
        if not t:
            continue
        found = [m.start() for m in re.finditer(re.escape(t), text)]
        assert found, f"term {t!r} not in {text!r}"
        spans.update((s, s + len(t)) for s in found)
    return sorted(spans)


def synthetic(name):
    """The loaded terms of a file of declared synthetic sentences (framing/annotation/synthetic/),
    training rows of source `synthetic`, each its own document."""
    path = os.path.join(ROOT, "datasets", "framing", "annotation", "synthetic", name)
    with open(path, newline="", encoding="utf-8") as f:
        return [{"id": r["id"], "doc": r["id"], "source": "synthetic", "text": r["text"],
                 "spans": term_spans(r["text"], r["terms"])} for r in csv.DictReader(f)]


def codebook():
    """Round 7's loaded terms (first pass), the synthetic sentences' and the news test set's."""
    ann = os.path.join(ROOT, "datasets", "framing", "annotation")

    def read(path):
        with open(os.path.join(ann, path), newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))

    rows = {"train": [], "test": []}
    cands = {r["id"]: r for r in read("candidates-round7.csv")}
    for k in range(24, 31):
        for r in read(f"annotations/part{k}.csv"):
            c = cands[r["id"]]
            rows["train"].append({"id": r["id"], "doc": c["doc"], "source": "codebook", "text": c["text"],
                                  "spans": term_spans(c["text"], r["terms"])})
    rows["train"] += synthetic("synthetic-r7.csv")
    cands = {r["id"]: r for r in read("news-test-candidates.csv")}
    for k in (1, 2, 3):
        for r in read(f"annotations/news-test{k}.csv"):
            c = cands[r["id"]]
            rows["test"].append({"id": r["id"], "doc": c["doc"], "source": "news-test", "text": c["text"],
                                 "spans": term_spans(c["text"], r["terms"])})
    return rows


def synthetic_r8():
    """Round 8's synthetic sentences' loaded terms: a training file of their own
    (synthetic-r8.jsonl), added as a second `--task tagger=`; not in the shipped models."""
    rows = synthetic("synthetic-r8.csv")
    with open(os.path.join(OUT, "synthetic-r8.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"synthetic-r8: {len(rows)} sentences, {sum(len(r['spans']) for r in rows)} spans")


def main():
    synthetic_r8()
    b, p, c = babe(), ptc(), codebook()
    for part in ("train", "test"):
        rows = b[part] + p[part] + c[part]
        with open(os.path.join(OUT, f"{part}.jsonl"), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        for src in ("babe", "ptc", "codebook", "synthetic", "news-test"):
            rs = [r for r in rows if r["source"] == src]
            if not rs:
                continue
            n_spans = sum(len(r["spans"]) for r in rs)
            print(f"{part} {src}: {len(rs)} sentences, {n_spans} spans, "
                  f"{sum(1 for r in rs if r['spans'])} with a span, {len({r['doc'] for r in rs})} documents")


if __name__ == "__main__":
    main()
