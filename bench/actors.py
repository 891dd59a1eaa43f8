#!/usr/bin/env python3
"""What actors cost (issue 19: at most 15% of `score`'s throughput). Standard library only.

Scores the same inputs with actors on (the default: gazetteer + stance head in the shared
encoder pass) and with --no-actors, alternating, REPEATS times each, in one run on one machine,
and prints sentences/s of each and the ratio (actors on / off, best run of each). Inputs: the
sample corpus (datasets/articles, 31 articles) and BENCH_SPEECHES (default 50) UN General Debate
speeches of 2010-2013 (shuffled with seed 1, as bench/run.py). Prints the CPU and its flags.
Run: python3 bench/actors.py (after scripts/setup.sh). Environment: BENCH_THREADS (default all
cores), BENCH_SPEECHES, BENCH_REPEATS (default 3).
"""
import csv, json, os, random, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpuinfo  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "ungdc", "speeches-2010s.jsonl"))
BIN = os.path.join(ROOT, "target", "release", "framescore")
THREADS = os.environ.get("BENCH_THREADS", str(os.cpu_count() or 2))
SPEECHES = int(os.environ.get("BENCH_SPEECHES", "50"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def score(corpus, out, extra):
    start = time.perf_counter()
    subprocess.run([BIN, "score", corpus, "--out", out, "-q", "--no-report", "--threads", THREADS]
                   + extra, check=True)
    wall = time.perf_counter() - start
    with open(os.path.join(out, "sentences.csv"), newline="", encoding="utf-8") as f:
        n = sum(1 for _ in csv.DictReader(f))
    mentions = 0
    if os.path.exists(os.path.join(out, "actors.csv")):
        with open(os.path.join(out, "actors.csv"), newline="", encoding="utf-8") as f:
            mentions = sum(1 for _ in csv.DictReader(f))
    return n, wall, mentions


def main():
    work = tempfile.mkdtemp(prefix="framescore-actors-")
    inputs = [("sample corpus (31 articles)", os.path.join(ROOT, "datasets", "articles"))]
    if os.path.exists(SHARED) and SPEECHES > 0:
        speeches = [json.loads(l) for l in open(SHARED, encoding="utf-8")]
        random.Random(1).shuffle(speeches)
        path = os.path.join(work, "ung.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for sp in speeches[:SPEECHES]:
                f.write(json.dumps({"id": sp["id"], "text": sp["text"], "source": sp["country"]}) + "\n")
        inputs.append((f"{SPEECHES} UN speeches", path))
    cpu, flags = cpuinfo.cpu()
    lines = [f"Machine: {cpu} (flags: {', '.join(flags) or 'none of ' + ', '.join(cpuinfo.FLAGS)}), "
             f"{os.cpu_count()} cores; threads {THREADS}; date {time.strftime('%Y-%m-%d')}; best of "
             f"{REPEATS} alternating runs each.", "",
             "| input | sentences | mentions | actors off (sentences/s) | actors on (sentences/s) | on / off |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, corpus in inputs:
        best = {"off": 0.0, "on": 0.0}
        n = mentions = 0
        for r in range(REPEATS):
            for mode, extra in (("off", ["--no-actors"]), ("on", [])):
                n, wall, m = score(corpus, os.path.join(work, f"out-{mode}-{r}"), extra)
                mentions = max(mentions, m)
                best[mode] = max(best[mode], n / wall)
        lines.append(f"| {name} | {n} | {mentions} | {best['off']:.1f} | {best['on']:.1f} | "
                     f"{best['on'] / best['off']:.3f} |")
        print(f"[bench] {lines[-1]}", file=sys.stderr, flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
