#!/usr/bin/env python3
"""What the accurate model set costs and buys, in one run on the same inputs (standard library
only; needs `scripts/setup.sh --mpnet` and a release build):

    python3 bench/accurate.py              # writes bench/accurate-results.md

For each input (the fixed news sentences with --no-split, and a slice of UN General Debate
speeches, as bench/run.py builds them), `framescore score` end to end with the fast set (the
default models/, all-MiniLM-L6-v2) and with `--models models/accurate` (all-mpnet-base-v2), both
at the default precision: sentences/s, the accurate set's throughput as a ratio of the fast
set's, and peak RSS. Then both sets' test scores from `framescore eval` (frames, sentence bias,
the tagger). Environment: BENCH_THREADS, BENCH_SENTENCES (default "2000"), BENCH_SPEECHES
(default "50").
"""
import json, os, random, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as R  # noqa: E402  (bench/run.py: run(), score(), fixed_sentences(), eval_scores())

SENTENCES = [int(s) for s in os.environ.get("BENCH_SENTENCES", "2000").split()]
SPEECHES = [int(s) for s in os.environ.get("BENCH_SPEECHES", "50").split()]
SETS = [("fast", os.path.join(R.ROOT, "models")), ("accurate", os.path.join(R.ROOT, "models", "accurate"))]


def main():
    work = tempfile.mkdtemp(prefix="framescore-accurate-")
    inputs = []
    pool = R.fixed_sentences()
    for size in SENTENCES:
        path = os.path.join(work, f"sentences-{size}.csv")
        R.write_sentences(path, pool[:size])
        inputs.append(("sentences", f"{size} sentences", path, ["--no-split"]))
    speeches = [json.loads(l) for l in open(R.SHARED, encoding="utf-8")]
    random.Random(1).shuffle(speeches)
    for size in SPEECHES:
        path = os.path.join(work, f"ung-{size}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for sp in speeches[:size]:
                f.write(json.dumps({"id": sp["id"], "text": sp["text"], "source": sp["country"]}) + "\n")
        inputs.append(("ungdc", f"{size} speeches", path, []))

    rows = []
    for name, size, path, extra in inputs:
        got = {}
        for set_name, models in SETS:
            out = os.path.join(work, f"out-{name}-{size.split()[0]}-{set_name}")
            sents, wall, rss = R.score(path, out, work, extra + ["--models", models])
            got[set_name] = (len(sents), len(sents) / wall, rss)
            R.log(f"{name} {size} {set_name}: {len(sents)} sentences, {len(sents) / wall:.1f}/s, peak RSS {rss:.0f} MB")
        rows.append((name, size, got))

    scores = {}
    for set_name, models in SETS:
        tagger = os.path.join(models, "tagger")
        s = {}
        for model, data, tag in [("frames", "framing/test.csv", None), ("bias", "babe/test.csv", tagger)]:
            for k, v in R.eval_scores(os.path.join(models, model), os.path.join(R.ROOT, "datasets", data),
                                      "auto", tag).items():
                s[(model if not k.startswith("tagger") else "tagger", k.replace("tagger ", ""))] = v
        scores[set_name] = s

    t = [f"Threads {R.THREADS}; date {time.strftime('%Y-%m-%d')}. `framescore score` end to end at the default "
         "precision; ratio: the accurate set's sentences/s over the fast set's, same run.", "",
         "| input | size | sentences | fast (all-MiniLM-L6-v2) | accurate (all-mpnet-base-v2) | ratio | peak RSS fast / accurate (MB) |",
         "|---|---:|---:|---:|---:|---:|---:|"]
    for name, size, got in rows:
        n, fast, rss_f = got["fast"]
        _, acc, rss_a = got["accurate"]
        t.append(f"| {name} | {size} | {n} | {fast:.1f} | {acc:.1f} | {acc / fast:.2f}x | {rss_f:.0f} / {rss_a:.0f} |")
    t += ["", "| head | test score | fast | accurate | change |", "|---|---|---:|---:|---:|"]
    for key in scores["fast"]:
        a, b = scores["fast"][key], scores["accurate"].get(key)
        if b is not None:
            t.append(f"| {key[0]} | {key[1]} | {a:.3f} | {b:.3f} | {b - a:+.3f} |")
    text = "\n".join(t) + "\n"
    print(text)
    with open(os.path.join(R.ROOT, "bench", "accurate-results.md"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
