#!/usr/bin/env python3
"""Benchmark driver (see bench/run.sh). Standard library only.

Two inputs, each at two sizes, in one run on the same machine:
  - "sentences": a fixed set of news sentences (BABE, then the framing data; committed in
    datasets/), scored one sentence per row with --no-split;
  - "ungdc": slices of the UN General Debate corpus (speeches of 2010-2013, shuffled with seed 1),
    read and split by framescore.
For each input and size:
  - framescore's encoder alone (examples/embed_speed), fp32, bf16 and int8, on the sentences
    framescore scored;
  - sentence-transformers `encode` (batch 32) on the same sentences, same model files;
  - `framescore score` end to end (read, split, encode, heads, lexicon, CSV) with --precision fp32,
    with --precision int8, and with the default (auto), each with its peak RSS;
and prints sentences/s and ratios against sentence-transformers. Then the accuracy checks of the
bf16 and int8 paths: embedding cosine to fp32 on the largest input, and every head's test scores
in all three precisions (framescore eval), with the largest change against fp32 (allowed: 0.005
for bf16, 0.01 for int8).
On a CPU with native bf16, the fp32 and int8 columns are what a CPU without it would see only
approximately (same cores, other instructions).
Environment: BENCH_THREADS (default: all cores), BENCH_SPEECHES (default "150 300"),
BENCH_SENTENCES (default "2000 4000"), BENCH_BIG_MB (default 0: off; e.g. 50 adds one document of
that many MB made of speeches, scored end to end, for peak RSS on a single huge document).
"""
import csv, functools, json, os, platform, random, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpuinfo  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "ungdc", "speeches-2010s.jsonl"))
BIN = os.path.join(ROOT, "target", "release", "framescore")
EMBED = os.path.join(ROOT, "target", "release", "examples", "embed_speed")
PY = os.path.join(ROOT, "bench", ".venv", "bin", "python")
THREADS = os.environ.get("BENCH_THREADS", str(os.cpu_count() or 2))
SPEECHES = [int(s) for s in os.environ.get("BENCH_SPEECHES", "150 300").split()]
SENTENCES = [int(s) for s in os.environ.get("BENCH_SENTENCES", "2000 4000").split()]
BIG_MB = float(os.environ.get("BENCH_BIG_MB", "0"))
# The lite set (`framescore distill`, a 4-layer student of the fast set), measured beside it.
LITE = os.path.join(ROOT, "models", "lite")
HAS_LITE = os.path.isfile(os.path.join(LITE, "tuned", "encoder.safetensors"))
ENV = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="true")


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def run(cmd):
    """Runs cmd, returns (stdout, wall seconds, peak RSS of that process in MB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=ENV, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            err.seek(0)
            sys.exit(f"[bench] {' '.join(cmd)} failed: {err.read()}")
        out.seek(0)
        return out.read(), wall, usage.ru_maxrss / 1024


def fixed_sentences():
    """The fixed sentence set: BABE then framing sentences, in file order, deduplicated."""
    seen, out = set(), []
    for path in ["babe/train.csv", "babe/test.csv", "framing/train.csv", "framing/test.csv"]:
        with open(os.path.join(ROOT, "datasets", path), newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                t = " ".join(r["text"].split())
                if t and t not in seen:
                    seen.add(t)
                    out.append(t)
    return out


def write_sentences(path, texts):
    """One sentence per row (id,text), for scoring with --no-split."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        for i, t in enumerate(texts):
            w.writerow([f"s{i}", t])


def score(corpus, out, work, extra):
    """framescore score end to end; returns (scored sentences, wall s, peak RSS MB)."""
    _, wall, rss = run([BIN, "score", corpus, "--out", out, "-q", "--threads", THREADS] + extra)
    with open(os.path.join(out, "sentences.csv"), newline="", encoding="utf-8") as f:
        sents = [r["text"].replace("\n", " ") for r in csv.DictReader(f)]
    return sents, wall, rss


def measure(name, size, corpus, work, extra):
    out32 = os.path.join(work, f"out-{name}-{size}-fp32")
    sents, wall32, rss32 = score(corpus, out32, work, extra + ["--precision", "fp32"])
    _, wall8, rss8 = score(corpus, os.path.join(work, f"out-{name}-{size}-int8"), work,
                           extra + ["--precision", "int8"])
    _, wall_auto, rss_auto = score(corpus, os.path.join(work, f"out-{name}-{size}-auto"), work, extra)
    lite = {}
    if HAS_LITE:
        for p in ("fp32", "int8"):
            _, wall, rss = score(corpus, os.path.join(work, f"out-{name}-{size}-lite-{p}"), work,
                                 extra + ["--models", LITE, "--precision", p])
            lite[p] = (len(sents) / wall, rss)
    lines = os.path.join(work, f"lines-{name}-{size}.txt")
    with open(lines, "w", encoding="utf-8") as f:
        f.write("\n".join(sents) + "\n")
    fs = json.loads(run([EMBED, lines, "--threads", THREADS])[0])["per_second"]
    bf = json.loads(run([EMBED, lines, "--threads", THREADS, "--bf16"])[0])["per_second"]
    i8 = json.loads(run([EMBED, lines, "--threads", THREADS, "--int8"])[0])["per_second"]
    st = json.loads(run([PY, os.path.join(ROOT, "bench", "st_speed.py"), lines, THREADS])[0])["per_second"]
    row = dict(input=name, size=size, n=len(sents), st=st, fs=fs, bf=bf, i8=i8,
               e2e32=len(sents) / wall32, e2e8=len(sents) / wall8, e2e=len(sents) / wall_auto,
               rss32=rss32, rss8=rss8, rss=rss_auto, lite=lite)
    log(f"{name} {size}: {len(sents)} sentences, ST {st:.1f}/s, encoder fp32 {fs:.1f}/s bf16 {bf:.1f}/s "
        f"int8 {i8:.1f}/s, end to end fp32 {row['e2e32']:.1f}/s int8 {row['e2e8']:.1f}/s auto {row['e2e']:.1f}/s, "
        f"peak RSS {rss32:.0f}/{rss8:.0f}/{rss_auto:.0f} MB"
        + (f"; lite set fp32 {lite['fp32'][0]:.1f}/s int8 {lite['int8'][0]:.1f}/s" if lite else ""))
    return row, lines


@functools.lru_cache(maxsize=None)
def eval_scores(model, data, precision, tagger=None):
    """F1 per label of a head (from eval's CSV); with `tagger`, also the tagger's word F1 and
    character-overlap F1 per source (from eval's table). Cached: the lite set's table compares
    with the fast set's fp32 scores measured for the guard table. Callers must not modify it."""
    with tempfile.NamedTemporaryFile(suffix=".csv") as f:
        extra = ["--tagger", tagger] if tagger else []
        out, _, _ = run([BIN, "eval", "--model", model, "--data", data, "--csv", f.name, "--threads", THREADS,
                         "--precision", precision] + extra)
        with open(f.name, newline="", encoding="utf-8") as g:
            rows = list(csv.DictReader(g))
        # A one-label head's "macro" row repeats its label's F1; leave it out.
        scores = {r["frame"] + " F1": float(r["f1"]) for r in rows if len(rows) > 2 or r["frame"] != "macro"}
    table = out.split("loaded-term tagger", 1)[1].splitlines()[2:] if tagger else []
    for line in table:
        cols = line.split()
        if len(cols) == 8:
            scores[f"tagger {cols[0]} word F1"] = float(cols[4])
            scores[f"tagger {cols[0]} char F1"] = float(cols[7])
    return scores


def main():
    speeches = [json.loads(l) for l in open(SHARED, encoding="utf-8")]
    random.Random(1).shuffle(speeches)
    pool = fixed_sentences()
    work = tempfile.mkdtemp(prefix="framescore-bench-")
    rows, biggest = [], None
    for size in SENTENCES:
        if size > len(pool):
            sys.exit(f"[bench] only {len(pool)} fixed sentences; BENCH_SENTENCES asks for {size}")
        corpus = os.path.join(work, f"sentences-{size}.csv")
        write_sentences(corpus, pool[:size])
        row, _ = measure("sentences", size, corpus, work, ["--no-split"])
        rows.append(row)
    for size in SPEECHES:
        corpus = os.path.join(work, f"ung-{size}.jsonl")
        with open(corpus, "w", encoding="utf-8") as f:
            for sp in speeches[:size]:
                f.write(json.dumps({"id": sp["id"], "text": sp["text"], "source": sp["country"]}) + "\n")
        row, lines = measure("ungdc", size, corpus, work, [])
        rows.append(row)
        biggest = lines
    big = None
    if BIG_MB > 0:
        path = os.path.join(work, "big.txt")
        with open(path, "w", encoding="utf-8") as f:
            written, i = 0, 0
            while written < BIG_MB * 1e6:
                t = speeches[i % len(speeches)]["text"] + "\n\n"
                f.write(t)
                written += len(t.encode("utf-8"))
                i += 1
        sents, wall, rss = score(path, os.path.join(work, "out-big"), work, [])
        big = (written / 1e6, len(sents), len(sents) / wall, rss)
        log(f"one {big[0]:.0f} MB document: {len(sents)} sentences, {big[2]:.1f}/s, peak RSS {rss:.0f} MB")

    # Accuracy of the bf16 and int8 paths.
    cos = json.loads(run([EMBED, biggest, "--threads", THREADS, "--cosine"])[0]) if biggest else None
    heads = []
    tagger = os.path.join(ROOT, "models", "tagger")
    for model, data, tag in [("frames", "framing/test.csv", None), ("bias", "babe/test.csv", tagger)]:
        m, d = os.path.join(ROOT, "models", model), os.path.join(ROOT, "datasets", data)
        a, b, c = (eval_scores(m, d, p, tag) for p in ("fp32", "bf16", "int8"))
        for k in a:
            heads.append((model if not k.startswith("tagger") else "tagger", k.replace("tagger ", ""), a[k], b[k], c[k]))
    # The lite set: int8 against its own fp32 (the same guard), and fp32 against the fast set's.
    lite_heads = []
    if HAS_LITE:
        lite_tagger = os.path.join(LITE, "tagger")
        for model, data, tag in [("frames", "framing/test.csv", None), ("frames", "framing/news-test.csv", None),
                                 ("bias", "babe/test.csv", lite_tagger)]:
            m, d = os.path.join(LITE, model), os.path.join(ROOT, "datasets", data)
            a, c = (eval_scores(m, d, p, tag) for p in ("fp32", "int8"))
            fast = eval_scores(os.path.join(ROOT, "models", model), d, "fp32", tag and tagger)
            for k in a:
                label = k.replace("tagger ", "") + (" (news test)" if "news-test" in data else "")
                lite_heads.append((model if not k.startswith("tagger") else "tagger", label, fast[k], a[k], c[k]))

    cpu, flags = cpuinfo.cpu()
    t = [f"Machine: {cpu} (flags: {', '.join(flags) or 'none of ' + ', '.join(cpuinfo.FLAGS)}), "
         f"{os.cpu_count()} cores, {platform.system()}; threads {THREADS}; "
         f"date {time.strftime('%Y-%m-%d')}. Rates in sentences/s; ratios against sentence-transformers "
         f"in the same run. `auto` is {'bf16' if 'avx512_bf16' in flags or 'amx_bf16' in flags else 'fp32'} on this CPU.", "",
         "| input | size | sentences | sentence-transformers encode | framescore encoder fp32 | ratio | framescore encoder bf16 | ratio | framescore encoder int8 | ratio | framescore score fp32 | ratio | framescore score int8 | ratio | framescore score (auto) | ratio | peak RSS fp32 / int8 / auto (MB) |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    if HAS_LITE:
        t[2] = t[2][:-len(" peak RSS fp32 / int8 / auto (MB) |")] + \
            " lite set score fp32 | ratio | lite set score int8 | ratio | peak RSS fp32 / int8 / auto / lite int8 (MB) |"
        t[3] += "---:|---:|---:|---:|"
    for r in rows:
        unit = "speeches" if r["input"] == "ungdc" else "sentences"
        t.append(f"| {r['input']} | {r['size']} {unit} | {r['n']} | {r['st']:.1f} | {r['fs']:.1f} | {r['fs'] / r['st']:.2f}x "
                 f"| {r['bf']:.1f} | {r['bf'] / r['st']:.2f}x | {r['i8']:.1f} | {r['i8'] / r['st']:.2f}x "
                 f"| {r['e2e32']:.1f} | {r['e2e32'] / r['st']:.2f}x | {r['e2e8']:.1f} | {r['e2e8'] / r['st']:.2f}x "
                 f"| {r['e2e']:.1f} | {r['e2e'] / r['st']:.2f}x "
                 + (f"| {r['lite']['fp32'][0]:.1f} | {r['lite']['fp32'][0] / r['st']:.2f}x "
                    f"| {r['lite']['int8'][0]:.1f} | {r['lite']['int8'][0] / r['st']:.2f}x " if r["lite"] else "")
                 + f"| {r['rss32']:.0f} / {r['rss8']:.0f} / {r['rss']:.0f}"
                 + (f" / {r['lite']['int8'][1]:.0f}" if r["lite"] else "") + " |")
    if big:
        t += ["", f"One {big[0]:.0f} MB document ({big[1]} sentences), `framescore score` default precision: "
              f"{big[2]:.1f} sentences/s, peak RSS {big[3]:.0f} MB."]
    if cos:
        t += ["", f"Embeddings against fp32 ({cos['sentences']} sentences): bf16 cosine min {cos['cosine_min']:.6f}, "
              f"mean {cos['cosine_mean']:.6f}; int8 cosine min {cos['int8_cosine_min']:.6f}, "
              f"mean {cos['int8_cosine_mean']:.6f} (guard: >= 0.99)."]
    t += ["", "| head | score | fp32 | bf16 | change | int8 | change |", "|---|---|---:|---:|---:|---:|---:|"]
    for model, k, a, b, c in heads:
        t.append(f"| {model} | {k} | {a:.4f} | {b:.4f} | {b - a:+.4f} | {c:.4f} | {c - a:+.4f} |")
    worst = max(abs(b - a) for _, _, a, b, _ in heads)
    worst8 = max(abs(c - a) for _, _, a, _, c in heads)
    t += ["", f"Largest change of a head's test score under bf16: {worst:.4f} "
          f"({'within' if worst < 0.005 else 'OVER'} the 0.005 allowed); under int8: {worst8:.4f} "
          f"({'within' if worst8 <= 0.01 else 'OVER'} the 0.01 allowed)."]
    if lite_heads:
        t += ["", "The lite set (`models/lite`, 4 layers distilled from the fast set): each head's test score in fp32 "
              "against the fast set's, and in int8 against its own fp32.", "",
              "| head | score | fast set fp32 | lite fp32 | change | lite int8 | change |", "|---|---|---:|---:|---:|---:|---:|"]
        for model, k, f, a, c in lite_heads:
            t.append(f"| {model} | {k} | {f:.4f} | {a:.4f} | {a - f:+.4f} | {c:.4f} | {c - a:+.4f} |")
        worst_lite = max(abs(c - a) for _, _, _, a, c in lite_heads)
        t += ["", f"Largest change of a lite head's test score under int8: {worst_lite:.4f} "
              f"({'within' if worst_lite <= 0.01 else 'OVER'} the 0.01 allowed)."]
    text = "\n".join(t) + "\n"
    print(text)
    with open(os.path.join(ROOT, "bench", "results.md"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
