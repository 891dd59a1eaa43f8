#!/usr/bin/env python3
"""Seventh annotation round (run once; kept for provenance): 2,520 training sentences in news
voice and of the kinds the out-of-domain check found missing (issue 15), for frames and loaded
terms on the same sentences.

- 720 PTC news sentences (SemEval-2020 Task 11 articles of datasets/tagging/'s training split, so
  the tagger's test articles stay unseen), none used in round 6, at most four per article: 480
  that name a foreign state or international actor or carry a frame cue, 240 drawn uniformly.
- 480 BABE sentences (the training split of datasets/babe/): every one on international politics
  and world news, then sentences with an international or frame cue, then others (hard negatives).
- 680 NewsMTSC sentences (US policy news 2017-2019, MIT): 400 with an international or frame cue,
  280 drawn uniformly (mostly hard negatives: domestic politics with no frame).
- 640 UN General Debate sentences from training-split speeches no earlier round used, at most two
  per speech: 400 with a counter-hegemony, bloc, race, rivalry or superpower cue, 240 with another
  frame's cue.
Every row goes to training; the frozen test split is untouched. Writes candidates-round7.csv and
round7-context.jsonl (each sentence with its neighbours where the source has them), shuffled so
that each annotator batch mixes the kinds.
"""
import csv, json, os, random, re, sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sample_round3 import is_test  # noqa: E402
from sample_sentences import CUE, SHARED, clean, draw, load_speeches, sentences, write_candidates  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.join(HERE, "..", "..", "..")
INTERNATIONAL = re.compile(
    r"China|Chinese|Russia|Iran|Korea|Syria|NATO|United Nations|\bU\.?N\.?\b|sanction|foreign|"
    r"allies|alliance|treaty|diplomat|Putin|Xi\b|Beijing|Moscow|Pyongyang|Tehran|Israel|Saudi|Europe|"
    r"Pentagon|military|missile|nuclear|trade war|tariff|NASA|space|rival|race\b|superpower|"
    r"Cold War|hegemon|dominan|world stage|global leader", re.I)
RIVALRY = re.compile(
    r"superpower|hegemon|multipolar|unipolar|\bblocs?\b|\brace\b|rival|dominat|imperialis|colonial|"
    r"great powers?|spheres? of influence|containment|cold war|double standards?|diktat|"
    r"democrati[sz]ation of international|new world order|power politics|arms race|"
    r"big powers?|powerful (states|countries|nations)|subjugat|interference|sovereignty", re.I)


def used_sentences():
    used_docs, used_text = set(), set()
    for name in os.listdir(os.path.join(HERE, "..")):
        if name.startswith("candidates") and name.endswith(".csv"):
            for r in csv.DictReader(open(os.path.join(HERE, "..", name), encoding="utf-8")):
                used_docs.add(r["doc"])
                used_text.add(r["text"])
    return used_docs, used_text


def un_rows(rng, rows, context, used_docs):
    speeches = load_speeches()
    rng.shuffle(speeches)
    want = {"rivalry": 400, "other": 240}

    def kind_of(s):
        return "rivalry" if RIVALRY.search(s) else "other" if CUE.search(s) else None

    for sp in speeches:
        if sp["id"] in used_docs or is_test(sp["id"]) or not any(want.values()):
            continue
        draw(sp["id"], list(sentences(sp["text"])), rng, kind_of, want, 2, "r", rows, context)


def ptc_rows(rng, rows, context, used_text):
    articles = defaultdict(list)
    for line in open(os.path.join(DATASETS, "tagging", "train.jsonl"), encoding="utf-8"):
        r = json.loads(line)
        if r["source"] == "ptc":
            articles[r["doc"]].append(r["text"])
    docs = sorted(articles)
    rng.shuffle(docs)
    want = {"international": 480, "plain": 240}

    def kind_of(s):
        if s in used_text:
            return None
        return "international" if INTERNATIONAL.search(s) or CUE.search(s) else "plain"

    for doc in docs:
        if not any(want.values()):
            break
        draw(doc, articles[doc], rng, kind_of, want, 4, "r", rows, context)


def single(rows, context, sid, doc, text):
    rows.append((sid, doc, "train", text))
    context[sid] = {"before": "", "after": ""}


def babe_rows(rng, rows, context, used_text):
    train_ids = {r["id"] for r in csv.DictReader(open(os.path.join(DATASETS, "babe", "train.csv"), encoding="utf-8"))}
    cands = [r for r in csv.DictReader(open(os.path.join(SHARED, "data", "babe", "train.csv"), encoding="utf-8"))
             if r["id"] in train_ids and r["text"] not in used_text and 6 <= len(r["text"].split()) <= 70]
    rng.shuffle(cands)
    world = [r for r in cands if r["topic"] == "international-politics-and-world-news"]
    cue = [r for r in cands if r not in world and (INTERNATIONAL.search(r["text"]) or CUE.search(r["text"]))]
    rest = [r for r in cands if r not in world and r not in cue]
    picked = (world + cue[:480 - len(world) - 120])
    picked += rest[:480 - len(picked)]
    for r in picked:
        single(rows, context, f"babe-{r['id'][5:]}-r", f"babe:{r['outlet']}/{r['topic']}", r["text"])


def newsmtsc_rows(rng, rows, context):
    sents = []
    for i, line in enumerate(open(os.path.join(SHARED, "data", "newsmtsc", "train.jsonl"), encoding="utf-8")):
        s = json.loads(line)["sentence_normalized"].strip()
        if 8 <= len(s.split()) <= 60:
            sents.append((i, s))
    rng.shuffle(sents)
    seen = set()
    cue, plain = [], []
    for i, s in sents:
        if s in seen:
            continue
        seen.add(s)
        (cue if INTERNATIONAL.search(s) or CUE.search(s) else plain).append((i, s))
    for i, s in cue[:400] + plain[:280]:
        single(rows, context, f"newsmtsc-{i:05d}-r", f"newsmtsc-{i:05d}", s)


def main():
    rng = random.Random(71)
    rows, context = [], {}
    used_docs, used_text = used_sentences()
    un_rows(rng, rows, context, used_docs)
    ptc_rows(rng, rows, context, used_text)
    babe_rows(rng, rows, context, used_text)
    newsmtsc_rows(rng, rows, context)
    rng.shuffle(rows)
    write_candidates(os.path.join(HERE, "..", "candidates-round7.csv"), rows)
    with open(os.path.join(HERE, "..", "round7-context.jsonl"), "w", encoding="utf-8") as f:
        for sid, doc, _, text in rows:
            f.write(json.dumps({"id": sid, "doc": doc, "text": text, **context[sid]}) + "\n")


if __name__ == "__main__":
    main()
