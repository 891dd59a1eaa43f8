#!/usr/bin/env python3
"""Out-of-domain report for the frame heads (issue 15): how well frames transfer to sources the
model never saw, beside the in-domain test split, and against a keyword baseline.

For each training-data variant and each source family (the `source` column of
datasets/framing/train.csv and test.csv: un, cn-official, us-official, news), heads are trained
with `framescore train` on the variant's rows of every OTHER family and scored on all real rows
of the held-out family (train and test split alike: the family is never seen). Declared
synthetic rows are never scored; in a variant that uses them they stay in training, since they
come from no real source. Also reported: the variant trained on all its rows and scored on the
frozen in-domain test split (test.csv) and on the out-of-domain news test set (news-test.csv: PTC
articles no training round draws from).

Variants (by the row ids of train.csv):
  rounds1-6      the data before round 7 (the shipped models' data until issue 15)
  +round7        plus round 7's 2,520 real sentences (news voice, rivalry and bloc language)
  +synthetic     plus round 7's 640 declared synthetic sentences (synthetic-r7.csv)
  +synthetic-r8  plus round 8's 1,120 declared synthetic sentences (datasets/framing/
                 synthetic-r8.csv, not in train.csv: news voice on space and US-China
                 relations, later UN-debate voice, hard negatives)
  +distilled     plus the 2,500 distilled rows (distilled.csv: the accurate set's probabilities
                 as soft targets); rows from the held-out family's pool (`un`, or PTC/BABE/
                 NewsMTSC for `news`) are left out of its fold. The accurate set that labelled
                 them saw every family, so this variant's held-out scores overstate.

The heads are trained on the frozen encoder (`--plain-encoder`, or `--tuned` for the shipped
tuned layers, which saw every family and so overstate), so a full report takes minutes, not the
hours one `framescore tune` per fold would; it ranks data variants, and the shipped models' own
scores on news-test.csv and test.csv come from `framescore eval`.

    python3 scripts/ood-report.py [--tuned] [--variants rounds1-6,+round7,+synthetic] [--out FILE]

Needs a built binary (scripts/setup.sh). Writes a Markdown table to stdout (and FILE).
"""
import argparse, csv, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "framescore")
DATA = os.path.join(ROOT, "datasets", "framing")
FRAMES = ["hegemony", "cooperation", "security"]
FAMILIES = ["un", "cn-official", "us-official", "news"]
COLUMNS = ["id", "doc", "source", "text", *FRAMES, "note"]


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# The keyword baseline: one regular expression per frame, from the codebook's own cue words.
KEYWORDS = {
    "hegemony": r"hegemon|dominat|supremac|superpower|contain(ment|ing)|suppress|encircl|blockad|"
                r"bully|coerc|unilateral|long-arm|cold war|bloc confrontation|multipolar|"
                r"zero-sum|great[- ]power|rival|race\b|imperialis|colonial",
    "cooperation": r"cooperat|co-operat|partner|joint|jointly|together|mutual|win-win|exchange|"
                   r"collaborat|shared future|common development|agreement|dialogue|teamed up",
    "security": r"secur|threat|weapon|militar|defen[cs]e|deterr|arms race|missile|nuclear|"
                r"espionage|spy|attack|war\b|safety|danger|terror",
}


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


ROUND7 = {r["id"] for r in read(os.path.join(DATA, "annotation", "candidates-round7.csv"))}


def in_variant(row, variant):
    if row["source"] == "synthetic":
        return variant in ("+synthetic", "+synthetic-r8", "+distilled")
    if row["id"] in ROUND7:
        return variant in ("+round7", "+synthetic", "+synthetic-r8", "+distilled")
    return True


def family(row):
    """The source family a row stands for: a distilled row's is its pool's (`doc` is
    `<pool>:<id>`), so a fold never trains on the held-out family's sentences."""
    if row["source"] != "distilled":
        return row["source"]
    return "un" if row["doc"].startswith("un:") else "news"


def f1_scores(truth, pred):
    out = {}
    for f in FRAMES:
        tp = sum(t[f] and p[f] for t, p in zip(truth, pred))
        fp = sum((not t[f]) and p[f] for t, p in zip(truth, pred))
        fn = sum(t[f] and not p[f] for t, p in zip(truth, pred))
        out[f] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    out["macro"] = sum(out[f] for f in FRAMES) / 3
    return out


def keyword_baseline(rows):
    truth = [{f: r[f] == "1" for f in FRAMES} for r in rows]
    pred = [{f: bool(re.search(KEYWORDS[f], r["text"], re.I)) for f in FRAMES} for r in rows]
    return f1_scores(truth, pred)


def train_and_score(train_rows, test_rows, tmp, tuned):
    tr, te = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
    write(tr, train_rows)
    write(te, test_rows)
    cmd = [BIN, "train", "--data", tr, "--test", te, "--out", os.path.join(tmp, "model")]
    if not tuned:
        cmd.append("--plain-encoder")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    held = out.split("held-out scores", 1)[1]
    scores = {}
    for line in held.splitlines():
        parts = line.split()
        if parts and parts[0] in FRAMES:
            scores[parts[0]] = float(parts[4])
        elif parts and parts[0] == "macro":
            scores["macro"] = float(parts[1])
    return scores


def fmt(s):
    return " | ".join(f"{s[k]:.3f}" for k in ["macro", *FRAMES])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tuned", action="store_true", help="train on the shipped tuned layers")
    ap.add_argument("--variants", default="rounds1-6,+round7,+synthetic")
    ap.add_argument("--out")
    args = ap.parse_args()
    train = read(os.path.join(DATA, "train.csv"))
    test = read(os.path.join(DATA, "test.csv"))
    news_test = read(os.path.join(DATA, "news-test.csv"))
    real = [r for r in train + test if r["source"] != "synthetic"]
    lines = ["| variant | evaluated on | sentences | macro-F1 | hegemony | cooperation | security |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for fam in FAMILIES:
        rows = [r for r in real if r["source"] == fam]
        lines.append(f"| keyword baseline | held-out family `{fam}` | {len(rows)} | {fmt(keyword_baseline(rows))} |")
    lines.append(f"| keyword baseline | in-domain test split | {len(test)} | {fmt(keyword_baseline(test))} |")
    lines.append(f"| keyword baseline | news-test (other outlets) | {len(news_test)} | {fmt(keyword_baseline(news_test))} |")
    with tempfile.TemporaryDirectory() as tmp:
        for variant in args.variants.split(","):
            rows = [r for r in train if in_variant(r, variant)]
            if variant == "+distilled":
                rows += read(os.path.join(DATA, "distilled.csv"))
            if variant == "+synthetic-r8":
                rows += read(os.path.join(DATA, "synthetic-r8.csv"))
            means = []
            for fam in FAMILIES:
                held = [r for r in real if r["source"] == fam]
                fit = [r for r in rows if family(r) != fam]
                s = train_and_score(fit, held, tmp, args.tuned)
                means.append(s)
                lines.append(f"| {variant} ({len(fit)} rows) | held-out family `{fam}` | {len(held)} | {fmt(s)} |")
                print(lines[-1], file=sys.stderr)
            avg = {k: sum(m[k] for m in means) / len(means) for k in means[0]}
            lines.append(f"| {variant} | mean over held-out families | | {fmt(avg)} |")
            s = train_and_score(rows, test, tmp, args.tuned)
            lines.append(f"| {variant} ({len(rows)} rows) | in-domain test split | {len(test)} | {fmt(s)} |")
            s = train_and_score(rows, news_test, tmp, args.tuned)
            lines.append(f"| {variant} ({len(rows)} rows) | news-test (other outlets) | {len(news_test)} | {fmt(s)} |")
            print("\n".join(lines[-3:]), file=sys.stderr)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
