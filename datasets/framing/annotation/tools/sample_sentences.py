#!/usr/bin/env python3
"""Draws the sentences to annotate for datasets/framing/ (run once; kept for provenance).

Articles: every sentence of the seed article and of the 30 shared articles.
UN General Debate: speeches drawn at random (seed 7) from ../shared/corpus/ungdc/, at most three
sentences per speech; half of the UN sentences are drawn among those that contain a frame cue word
(so that rarer frames get enough positives), half uniformly. The split is fixed per document:
the seed article and most articles train, a fixed set of articles and ~20% of speeches test.
"""
import csv, glob, hashlib, json, os, random, re, sys

ROOT = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(ROOT, "../../../../../shared"))
OUT = os.path.join(ROOT, "..", "candidates.csv")
TEST_ARTICLES = {
    "china-un-2016-first-committee-71st-outer-space-yang-jia",
    "china-un-2024-06-13-geng-shuang-unilateral-coercive-measures",
    "mfa-2023-02-20-us-hegemony-and-its-perils",
    "scio-2022-01-28-white-paper-space-program-2021-mission-vision",
    "un-2020-gadis3658-first-committee-outer-space-threats",
    "usun-2024-04-24-wood-joint-statement-russia-veto-outer-space",
    "voa-2021-05-china-military-capability-space",
    "voa-2018-12-us-russia-space-cooperation-despite-tensions",
}
ABBR = re.compile(r"\b(U\.S|U\.N|U\.K|Dr|Mr|Mrs|Ms|No|St|Jan|Feb|Aug|Sept|Oct|Nov|Dec|Corp|Inc|vs|e\.g|i\.e|Gen|Amb)\.$")
SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"“‘(]?[A-Z0-9])|(?<=[.!?][\"”’)])\s+(?=[\"“‘(]?[A-Z0-9])")
CUE = re.compile(r"hegemon|dominat|superpower|unilateral|sanction|coerc|multipolar|bloc\b|imperial|"
                 r"bully|containment|cold war|cooperat|partnership|mutual|joint|dialogue|together|"
                 r"win-win|security|weapon|nuclear|terror|arms|military|threat|defen[cs]e|peacekeep", re.I)


def sentences(text):
    for para in re.split(r"\n\s*\n|\n(?=[A-Z\d\"“])", text):
        para = " ".join(para.split())
        out = []
        for s in SPLIT.split(para):
            if out and ABBR.search(out[-1]):
                out[-1] += " " + s
            else:
                out.append(s)
        for s in out:
            s = s.strip()
            if len(s.split()) >= 3:
                yield s


def load_speeches():
    """All UN General Debate speeches, in file order."""
    speeches = []
    for path in sorted(glob.glob(os.path.join(SHARED, "corpus/ungdc/*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            speeches.extend(json.loads(line) for line in f)
    return speeches


def clean(s):
    """A candidate sentence: 8-60 words, plain ASCII apart from typographic quotes and dashes."""
    return 8 <= len(s.split()) <= 60 and not re.search(r"[^\x00-\x7f’“”‘–—]", s)


def write_candidates(path, rows):
    """Writes (id, doc, split, text) rows."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "doc", "split", "text"])
        w.writerows(rows)
    print(len(rows), "sentences ->", path, file=sys.stderr)


def body(path):
    text = open(path, encoding="utf-8").read()
    if "\n---\n" in text[:2000]:
        text = text.split("\n---\n", 1)[1]
    return text


def draw(doc, sents, rng, kind_of, want, cap, tag, rows, context):
    """Draws up to `cap` sentences of one document in a seeded random order, each of a kind
    (`kind_of(s)`, None to skip) that `want` still asks for; appends (id, doc, "train", text) rows
    with ids `{doc}-{tag}{n}` and records each one's neighbours in `context` (rounds 5 and 6)."""
    order = list(range(len(sents)))
    rng.shuffle(order)
    taken = 0
    for i in order:
        s = sents[i]
        if not clean(s) or taken == cap:
            continue
        kind = kind_of(s)
        if kind is None or want[kind] == 0:
            continue
        want[kind] -= 1
        taken += 1
        sid = f"{doc}-{tag}{taken}"
        rows.append((sid, doc, "train", s))
        context[sid] = {"before": sents[i - 1] if i > 0 else "",
                        "after": sents[i + 1] if i + 1 < len(sents) else ""}


def write_context(path, rows, context):
    """Writes each drawn sentence with its neighbours, as the annotators saw them."""
    with open(path, "w", encoding="utf-8") as f:
        for sid, doc, _, text in rows:
            f.write(json.dumps({"id": sid, "doc": doc, "text": text, **context[sid]}) + "\n")


def main():
    rows = []
    for path in sorted(glob.glob(os.path.join(SHARED, "corpus/seed/*.txt")) +
                       glob.glob(os.path.join(SHARED, "corpus/articles/*.txt"))):
        doc = os.path.splitext(os.path.basename(path))[0]
        split = "test" if doc in TEST_ARTICLES else "train"
        for i, s in enumerate(sentences(body(path))):
            rows.append((f"art-{doc}-{i:03d}", doc, split, s))
    rng = random.Random(7)
    speeches = load_speeches()
    rng.shuffle(speeches)
    cue, plain = [], []
    for sp in speeches[:900]:
        sents = [s for s in sentences(sp["text"]) if clean(s)]
        rng.shuffle(sents)
        test = int(hashlib.sha1(sp["id"].encode()).hexdigest(), 16) % 5 == 0
        split = "test" if test else "train"
        c = [s for s in sents if CUE.search(s)][:2]
        p = [s for s in sents if s not in c][:1]
        cue += [(sp["id"], split, s) for s in c]
        plain += [(sp["id"], split, s) for s in p]
    picked = cue[:330] + plain[:330]
    picked.sort(key=lambda r: r[0])
    counts = {}
    for doc, split, s in picked:
        n = counts[doc] = counts.get(doc, 0) + 1
        rows.append((f"{doc}-s{n}", doc, split, s))
    write_candidates(OUT, rows)


if __name__ == "__main__":
    main()
