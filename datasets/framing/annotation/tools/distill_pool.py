#!/usr/bin/env python3
"""Unlabelled sentences for distilling the accurate set into the fast one (issue 15, run once;
kept for provenance), and the selection of the rows that become datasets/framing/distilled.csv.

Step 1, `pool OUT.jsonl`: real sentences no annotation round or test set holds, one JSON object per
sentence (`id`, `source` = family, `text`), for `framescore score --no-split`:
- PTC news sentences of datasets/tagging/'s training articles (so the tagger's and the news test
  set's articles stay unseen), 8-60 words;
- BABE sentences of datasets/babe/'s training split;
- NewsMTSC sentences (train.jsonl, MIT);
- UN General Debate sentences from 400 training-split speeches (seeded), at most 12 per speech,
  those with a frame cue first.
Sentences that any candidates*.csv (every annotation round, both test sets) holds are left out.

Step 2, `select TEACHER.csv STUDENT.csv POOL.jsonl OUT.csv`: TEACHER.csv and STUDENT.csv are the
`sentences.csv` of scoring the pool with the accurate set and with the fast set. Keeps, seeded:
the 1,000 sentences where the two disagree most (largest summed |p_teacher - p_student|, so the
rows go where the fast set is weakest), then up to 900 more the teacher marks with a frame
(p >= 0.5 for some frame), then 600 drawn uniformly (mostly no frame, as in news), with at most
a third of the rows from UN speeches. The targets are the teacher's calibrated probabilities,
rounded to 3 decimals; `source` is `distilled` (never validated or tested), `note` names the
pool family.
"""
import csv, json, os, random, re, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round3 import is_test  # noqa: E402
from sample_sentences import CUE, SHARED, load_speeches, sentences  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
FRAMES = ["hegemony", "cooperation", "security"]


def used_text():
    used = set()
    for name in os.listdir(os.path.join(HERE, "..")):
        if name.startswith("candidates") and name.endswith(".csv") or name == "news-test-candidates.csv":
            for r in csv.DictReader(open(os.path.join(HERE, "..", name), encoding="utf-8")):
                used.add(r["text"].strip())
    for split in ["train", "test", "news-test"]:
        for r in csv.DictReader(open(os.path.join(DATASETS, "framing", f"{split}.csv"), encoding="utf-8")):
            used.add(r["text"].strip())
    return used


def ok(s):
    return 8 <= len(s.split()) <= 60


def pool(out):
    rng = random.Random(2026_12_07)
    used = used_text()
    seen = set(used)
    rows = []

    def add(sid, family, text):
        text = " ".join(text.split())
        if ok(text) and text not in seen:
            seen.add(text)
            rows.append({"id": sid, "source": family, "text": text})

    for line in open(os.path.join(DATASETS, "tagging", "train.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        if r["source"] == "ptc":
            add(f"ptc:{r['id']}", "ptc", r["text"])
        elif r["source"] == "babe":
            add(f"babe:{r['id']}", "babe", r["text"])
    for i, line in enumerate(open(os.path.join(SHARED, "data", "newsmtsc", "train.jsonl"), encoding="utf-8")):
        add(f"newsmtsc:{i:05d}", "newsmtsc", json.loads(line)["sentence_normalized"])
    speeches = [s for s in load_speeches() if not is_test(s["id"])]
    rng.shuffle(speeches)
    for sp in speeches[:400]:
        sents = [s for s in sentences(sp["text"]) if ok(s) and s not in used]
        cued = [s for s in sents if CUE.search(s)]
        rest = [s for s in sents if not CUE.search(s)]
        rng.shuffle(cued)
        rng.shuffle(rest)
        for k, s in enumerate((cued + rest)[:12]):
            add(f"un:{sp['id']}:{k}", "un", s)
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    counts = defaultdict(int)
    for r in rows:
        counts[r["source"]] += 1
    print(f"{len(rows)} pool sentences: {dict(counts)}", file=sys.stderr)


def probs(path):
    out = {}
    for r in csv.DictReader(open(path, encoding="utf-8")):
        out[r["article_id"]] = [float(r[f"p_{f}"]) for f in FRAMES]
    return out


def select(teacher_csv, student_csv, pool_jsonl, out):
    rng = random.Random(15)
    teacher, student = probs(teacher_csv), probs(student_csv)
    items = [json.loads(line) for line in open(pool_jsonl, encoding="utf-8")]
    items = [r for r in items if r["id"] in teacher and r["id"] in student]
    rng.shuffle(items)
    un_cap = 2500 // 3
    picked, ids, n_un = [], set(), 0

    def take(r):
        nonlocal n_un
        if r["id"] in ids or (r["source"] == "un" and n_un >= un_cap):
            return False
        ids.add(r["id"])
        n_un += r["source"] == "un"
        picked.append(r)
        return True

    gap = sorted(items, key=lambda r: -sum(abs(a - b) for a, b in zip(teacher[r["id"]], student[r["id"]])))
    n = 0
    for r in gap:
        n += take(r)
        if n == 1000:
            break
    n = 0
    for r in items:
        if max(teacher[r["id"]]) >= 0.5:
            n += take(r)
            if n == 900:
                break
    n = 0
    for r in items:
        n += take(r)
        if n == 600:
            break
    picked.sort(key=lambda r: r["id"])
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "doc", "source", "text", *FRAMES, "note"])
        for r in picked:
            p = teacher[r["id"]]
            doc = r["id"].rsplit(":", 1)[0] if r["source"] == "un" else r["id"]
            w.writerow([f"distilled-{r['id']}", doc, "distilled", r["text"], *[f"{x:.3f}" for x in p],
                        f"pool: {r['source']}; targets: accurate set's probabilities"])
    counts = defaultdict(int)
    for r in picked:
        counts[r["source"]] += 1
    framed = sum(max(teacher[r["id"]]) >= 0.5 for r in picked)
    print(f"{len(picked)} rows ({framed} with a frame at p >= 0.5): {dict(counts)}", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:2] == ["pool"]:
        pool(sys.argv[2])
    elif sys.argv[1:2] == ["select"]:
        select(*sys.argv[2:6])
    else:
        sys.exit(__doc__)
