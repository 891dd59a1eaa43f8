#!/usr/bin/env python3
"""The mention filter's judged candidates (issue 19): sentences of PTC articles and UN General
Debate speeches that no other file of datasets/actors/ draws from, with every candidate mention
the shipped gazetteer finds in them, each judged by an annotator: an actor mention by the
codebook (with the right id) or not.

    # 1. score the documents (90 PTC articles, 60 UN speeches, drawn at random, seed 619)
    python3 tools/candidates.py docs OUT/docs.jsonl
    framescore score OUT/docs.jsonl --no-mention-filter --out OUT/scored
    # 2. draw up to 8 sentences with a candidate per document (seed 1919), write the batches
    python3 tools/candidates.py sample OUT/scored OUT
    # 3. annotators label OUT/batch*.txt into candidates/labels*.csv (candidates/annotator-prompt.md)
    # 4. the training file and the agreement of the second coder
    python3 tools/candidates.py build OUT candidates/ candidates.jsonl
    # round 2 (sampled smarter: sentences with a demonym, capital, organ, body or person
    # candidate): steps 1-2 with a last argument 2, labels in candidates/labels-r2*.csv;
    # round 3 (sentences with a word of praise or blame; actor and stance judged in one pass,
    # candidates/round3-prompt.md): steps 1-2 with a last argument 3, labels in
    # candidates/labels-r3*.csv and candidates/stance-labels-r3*.csv
    # 5. the stance towards every judged actor mention (candidates/stance-prompt.md), in
    #    NewsMTSC's format for `framescore train-stance`; round 3's in a file of its own
    python3 tools/candidates.py stance candidates.jsonl candidates/ candidates-stance.jsonl
    python3 tools/candidates.py stance candidates.jsonl candidates/ candidates-stance-r3.jsonl 3

Run from datasets/actors/ (paths to ../../../shared/ as in the repository's layout).
"""
import collections, csv, json, random, re, sys

SHARED = "../../../shared"


def used_docs():
    used = set()
    for s in ["train", "test"]:
        for line in open(f"{s}.jsonl", encoding="utf-8"):
            used.add(json.loads(line)["doc"])
    return used


def docs(out, round_="1"):
    """Round 1: 90 PTC articles and 60 UN speeches; round 2: the next 120 and 40 of the same
    shuffled lists; round 3: the PTC articles left and the next 120 speeches (so no document is
    drawn twice)."""
    used = used_docs()
    random.seed(619)
    ptc = [json.loads(l) for l in open(f"{SHARED}/data/ptc/train.jsonl", encoding="utf-8")]
    ptc = [d for d in ptc if d["id"] not in used]
    un = []
    for f in ["speeches-2000s.jsonl", "speeches-2010s.jsonl", "speeches-1990s.jsonl"]:
        un += [json.loads(l) for l in open(f"{SHARED}/corpus/ungdc/{f}", encoding="utf-8")]
    un = [d for d in un if d["id"] not in used]
    random.shuffle(ptc)
    random.shuffle(un)
    picked = {"1": ptc[:90] + un[:60], "2": ptc[90:210] + un[60:100], "3": ptc[210:] + un[100:220]}[round_]
    with open(out, "w", encoding="utf-8") as f:
        for d in picked:
            f.write(json.dumps({"id": d["id"], "text": d["text"]}) + "\n")


def block(it):
    lines = [f"### {it['id']}", it["text"]]
    for j, c in enumerate(it["candidates"]):
        lines.append(f"  [{j}] \"{c['mention']}\" -> {c['actor']}  (chars {c['start']}-{c['end']})")
    return "\n".join(lines) + "\n\n"


def kinds():
    with open("../../models/actors.csv", encoding="utf-8") as f:
        return {r["alias"]: r["kind"] for r in csv.DictReader(f)}


# Round 3 draws sentences that praise or blame someone: the polar stance classes are a quarter
# of rounds 1-2's mentions, and the stance head is weakest on them.
POLAR = re.compile(
    r"\b(condemn|denounc|accus|blam|aggress|violat|occup|invad|invasion|attack|threat|sanction|"
    r"hostil|hegemon|imperial|interfer|bully|coerc|provoc|crime|criminal|brutal|atroc|genocid|"
    r"regime|illegal|unilateral|blockad|embargo|destabili|praise|commend|thank|welcom|congratulat|"
    r"appreciat|grateful|gratitude|admir|salut|tribute|pay homage|friend|generous|solidarity|"
    r"support|assistance|contribution|leadership|commitment)",
    re.IGNORECASE)


def sample(scored, out, round_="1"):
    """Round 1: up to 8 sentences with a candidate per document. Round 2 (smarter): up to 6 per
    document among sentences with a candidate that is not a plain state name (a demonym, a
    capital, an organ, an international body or a person), where the word list errs most.
    Round 3: up to 5 per document among sentences with a candidate and a word of praise or blame
    (`POLAR`)."""
    random.seed({"1": 1919, "2": 2020, "3": 2121}[round_])
    kind = kinds()
    sent = {(r["article_id"], r["sentence_index"]): r for r in csv.DictReader(open(f"{scored}/sentences.csv", encoding="utf-8"))}
    cands = collections.defaultdict(list)
    for r in csv.DictReader(open(f"{scored}/actors.csv", encoding="utf-8")):
        t = sent[(r["article_id"], r["sentence_index"])]
        off = int(t["start"])
        cands[(r["article_id"], r["sentence_index"])].append(
            dict(start=int(r["start"]) - off, end=int(r["end"]) - off, mention=r["mention"], actor=r["actor"]))
    bydoc = collections.defaultdict(list)
    for k in cands:
        bydoc[k[0]].append(k)
    items = []
    for d, ks in sorted(bydoc.items()):
        random.shuffle(ks)
        if round_ == "2":
            ks = [k for k in ks if any(kind.get(c["mention"], "state") != "state" for c in cands[k])]
        if round_ == "3":
            ks = [k for k in ks if POLAR.search(sent[k]["text"])]
        for k in ks[:{"1": 8, "2": 6, "3": 5}[round_]]:
            text = sent[k]["text"]
            if len(text) > 600:
                continue
            items.append(dict(id=f"{k[0]}:{k[1]}", doc=k[0], round=int(round_), family="ptc" if k[0].startswith("ptc") else "ungdc",
                              text=text, candidates=cands[k]))
    random.shuffle(items)
    tag = "" if round_ == "1" else f"-r{round_}"
    json.dump(items, open(f"{out}/items{tag}.json", "w"))
    n = len(items)
    for b in range(5):
        with open(f"{out}/batch{tag}{b}.txt", "w", encoding="utf-8") as f:
            f.writelines(block(it) for it in items[b * n // 5:(b + 1) * n // 5])
    if round_ == "1":
        with open(f"{out}/batch-second.txt", "w", encoding="utf-8") as f:
            f.writelines(block(it) for it in random.sample(items, 200))
    if round_ == "3":
        with open(f"{out}/batch-r3-second.txt", "w", encoding="utf-8") as f:
            f.writelines(block(it) for it in random.sample(items, 100))


def agreement(pairs):
    """Share of equal labels and Cohen's kappa over (first, second) label pairs."""
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    classes = {x for pair in pairs for x in pair}
    pe = sum((sum(a == k for a, _ in pairs) / n) * (sum(b == k for _, b in pairs) / n) for k in classes)
    return po, (po - pe) / (1 - pe)


def labels(path):
    return {(r["item_id"], int(r["index"])): r["label"].strip() == "1" for r in csv.DictReader(open(path, encoding="utf-8"))}


# Each round's items (items{tag}.json) and first-coder labels (labels{tag}{0-4}.csv).
ROUNDS = [("", 1), ("-r2", 2), ("-r3", 3)]
# The second coders' samples: round 1's 280 candidates and round 3's 100 sentences.
SECOND = ["", "-r3"]


def build(items_dir, labels_dir, out):
    items, first = [], {}
    for tag, round_ in ROUNDS:
        try:
            more = json.load(open(f"{items_dir}/items{tag}.json"))
        except FileNotFoundError:
            continue
        for it in more:
            it.setdefault("round", round_)
        items += more
        for b in range(5):
            first.update(labels(f"{labels_dir}/labels{tag}{b}.csv"))
    with open(out, "w", encoding="utf-8") as f:
        for it in items:
            cands = []
            for j, c in enumerate(it["candidates"]):
                # Offsets in code points, as actors.csv gives them and every JSONL file holds them.
                s, e = c["start"], c["end"]
                assert it["text"][s:e] == c["mention"], (it["id"], c)
                cands.append({"from": s, "to": e, "mention": c["mention"], "actor": c["actor"],
                              "actor_mention": first[(it["id"], j)]})
            f.write(json.dumps({"id": it["id"], "doc": it["doc"], "family": it["family"], "source": "candidates",
                                "round": it["round"],
                                "text": it["text"], "candidates": cands}, ensure_ascii=False) + "\n")
    for r in sorted({it["round"] for it in items}):
        ks = [(it["id"], j) for it in items if it["round"] == r for j in range(len(it["candidates"]))]
        print(f"round {r}: {len({k[0] for k in ks})} sentences, {len(ks)} candidates, "
              f"{sum(first[k] for k in ks)} actor mentions")
    print(f"{len(items)} sentences, {len(first)} candidates, {sum(first.values())} actor mentions")
    for tag in SECOND:
        second = labels(f"{labels_dir}/labels{tag}-second.csv")
        po, kappa = agreement([(first[k], v) for k, v in second.items()])
        print(f"second coder (labels{tag}-second.csv) on {len(second)} candidates: agreement {po:.3f}, "
              f"Cohen's kappa {kappa:.3f}")


POLARITY = {"negative": 2.0, "neutral": 4.0, "positive": 6.0}


def stance_labels(path):
    return {(r["item_id"], int(r["index"])): r["stance"].strip() for r in csv.DictReader(open(path, encoding="utf-8"))}


def stance(candidates, labels_dir, out, rounds="1,2"):
    """The stance towards every judged actor mention of candidates.jsonl's sentences of the given
    rounds, in NewsMTSC's format (what `framescore train-stance` reads), from
    candidates/stance-labels*.csv (rounds 1-2 in stance-labels{0-4}.csv, round 3 in
    stance-labels-r3{0-4}.csv); prints the second coders' agreement (stance-labels-second.csv,
    stance-labels-r3-second.csv) on the mentions both coders judged actor mentions. Rounds 1-2
    make candidates-stance.jsonl, round 3 candidates-stance-r3.jsonl (measured, not in the
    shipped heads: see the README's stance card)."""
    rounds = {int(r) for r in rounds.split(",")}
    first = {}
    for tag in ["", "-r3"]:
        for b in range(5):
            try:
                first.update(stance_labels(f"{labels_dir}/stance-labels{tag}{b}.csv"))
            except FileNotFoundError:
                pass
    n, counts = 0, collections.Counter()
    with open(out, "w", encoding="utf-8") as f:
        for line in open(candidates, encoding="utf-8"):
            it = json.loads(line)
            if it["round"] not in rounds:
                continue
            judged = [(c, first[(it["id"], j)]) for j, c in enumerate(it["candidates"]) if c["actor_mention"]]
            if not judged:
                continue
            targets = [{"from": c["from"], "to": c["to"], "mention": c["mention"], "actor": c["actor"],
                        "polarity": POLARITY[label]} for c, label in judged]
            n += len(targets)
            counts.update(label for _, label in judged)
            f.write(json.dumps({"primary_gid": it["id"], "doc": it["doc"], "family": it["family"],
                                "source": "candidates", "sentence_normalized": it["text"],
                                "targets": targets}, ensure_ascii=False) + "\n")
    print(f"{n} mentions: " + ", ".join(f"{k} {counts[k]}" for k in POLARITY))
    for tag in SECOND:
        second = stance_labels(f"{labels_dir}/stance-labels{tag}-second.csv")
        pairs = [(first[k], v) for k, v in second.items() if k in first]
        po, kappa = agreement(pairs)
        print(f"second coder (stance-labels{tag}-second.csv) on {len(pairs)} mentions: agreement {po:.3f}, "
              f"Cohen's kappa {kappa:.3f}")


if __name__ == "__main__":
    {"docs": docs, "sample": sample, "build": build, "stance": stance}[sys.argv[1]](*sys.argv[2:])
