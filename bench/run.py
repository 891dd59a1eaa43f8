#!/usr/bin/env python3
"""Benchmark driver (see bench/run.sh). Standard library only.

Inputs: slices of the UN General Debate corpus (speeches of 2010-2013, shuffled with seed 1) at
two sizes. For each size, in one run on the same machine:
  - framescore's encoder alone (examples/embed_speed) on the slice's sentences, as framescore
    splits them;
  - sentence-transformers `encode` (batch 32) on the same sentences, same model files;
  - `framescore score` end to end on the slice (read, split, encode, heads, lexicon, CSV), with
    its peak RSS;
and prints sentences/s and the ratios against sentence-transformers.
"""
import csv, json, os, platform, random, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "ungdc", "speeches-2010s.jsonl"))
BIN = os.path.join(ROOT, "target", "release", "framescore")
EMBED = os.path.join(ROOT, "target", "release", "examples", "embed_speed")
PY = os.path.join(ROOT, "bench", ".venv", "bin", "python")
THREADS = os.environ.get("BENCH_THREADS", str(os.cpu_count() or 2))
SIZES = [int(s) for s in os.environ.get("BENCH_SPEECHES", "150 300").split()]


def run(cmd, env=None):
    """Runs cmd, returns (stdout, wall seconds, peak RSS of that process in MB)."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            sys.exit(f"[bench] {' '.join(cmd)} failed: {proc.stderr.read()}")
        out.seek(0)
        return out.read(), wall, usage.ru_maxrss / 1024


def main():
    speeches = [json.loads(l) for l in open(SHARED, encoding="utf-8")]
    random.Random(1).shuffle(speeches)
    work = tempfile.mkdtemp(prefix="framescore-bench-")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="true")
    rows = []
    for size in SIZES:
        corpus = os.path.join(work, f"ung-{size}.jsonl")
        with open(corpus, "w", encoding="utf-8") as f:
            for sp in speeches[:size]:
                f.write(json.dumps({"id": sp["id"], "text": sp["text"], "source": sp["country"]}) + "\n")
        out = os.path.join(work, f"out-{size}")
        _, wall, rss = run([BIN, "score", corpus, "--out", out, "-q", "--threads", THREADS], env)
        with open(os.path.join(out, "sentences.csv"), newline="", encoding="utf-8") as f:
            sents = [r["text"].replace("\n", " ") for r in csv.DictReader(f)]
        lines = os.path.join(work, f"sentences-{size}.txt")
        with open(lines, "w", encoding="utf-8") as f:
            f.write("\n".join(sents) + "\n")
        fs = json.loads(run([EMBED, lines, "--threads", THREADS], env)[0])
        bf = json.loads(run([EMBED, lines, "--threads", THREADS, "--bf16"], env)[0])
        st = json.loads(run([PY, os.path.join(ROOT, "bench", "st_speed.py"), lines, THREADS], env)[0])
        e2e = len(sents) / wall
        rows.append((size, len(sents), st["per_second"], fs["per_second"], bf["per_second"], e2e, rss))
        print(f"[bench] {size} speeches: {len(sents)} sentences, ST {st['per_second']}/s, "
              f"framescore encoder {fs['per_second']}/s (bf16 {bf['per_second']}/s), end to end {e2e:.1f}/s, peak RSS {rss:.0f} MB",
              file=sys.stderr)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    table = [f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()}; threads {THREADS}; "
             f"date {time.strftime('%Y-%m-%d')}.", "",
             "| speeches | sentences | sentence-transformers encode (sent/s) | framescore encoder fp32 (sent/s) | ratio | framescore encoder bf16 (sent/s) | ratio | framescore score end to end, fp32 (sent/s) | ratio | peak RSS (MB) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, n, st, fs, bf, e2e, rss in rows:
        table.append(f"| {size} | {n} | {st:.1f} | {fs:.1f} | {fs / st:.2f}x | {bf:.1f} | {bf / st:.2f}x | {e2e:.1f} | {e2e / st:.2f}x | {rss:.0f} |")
    text = "\n".join(table) + "\n"
    print(text)
    with open(os.path.join(ROOT, "bench", "results.md"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
