#!/usr/bin/env python3
"""Long text without sentence ends (issue 18, item 10): does scoring stay linear in the length?

Builds, from the sample corpus's UN texts, an unpunctuated single line of 0.5 MB and one of
2 MB, and the same words with a period every 20 words, then times `framescore score` on each
(the whole process, default options, one run each) and prints a Markdown table with the CPU.
The check is a ratio measured in the same run, never a fixed time: the 2 MB line must take at
most 4.6x the 0.5 MB one (4x is linear; the rest is start-up and noise), and the unpunctuated
text must stay within 2x of punctuated text of the same size.

    python3 bench/long_text.py          # after scripts/setup.sh; about 2 minutes on 2 cores
"""
import glob, os, random, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from cpuinfo import cpu  # noqa: E402
BIN = os.path.join(ROOT, "target", "release", "framescore")



def words():
    out = []
    for f in sorted(glob.glob(os.path.join(ROOT, "datasets", "articles", "un*.txt"))):
        body = open(f, encoding="utf-8").read().split("\n---\n", 1)[-1]
        out += re.sub(r"[.!?;:\u3002]", " ", body).split()
    return out


def text_of(ws, size, punctuate):
    # Words drawn at random (seeded), so no two pieces repeat: identical sentences are encoded
    # once, which would flatter a text that cycles through the same words.
    rng = random.Random(7)
    parts, n, i = [], 0, 0
    while n < size:
        w = rng.choice(ws)
        if punctuate and i % 20 == 19:
            w += "."
        parts.append(w)
        n += len(w) + 1
        i += 1
    return " ".join(parts)


def timed(path, out):
    start = time.perf_counter()
    subprocess.run([BIN, "score", path, "--out", out, "--quiet", "--no-report"], check=True)
    return time.perf_counter() - start


def main():
    model, flags = cpu()
    ws = words()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (500_000, 2_000_000):
            for punct in (False, True):
                path = os.path.join(tmp, f"t-{size}-{punct}.txt")
                open(path, "w", encoding="utf-8").write(text_of(ws, size, punct))
                secs = timed(path, os.path.join(tmp, "out"))
                n = sum(1 for _ in open(os.path.join(tmp, "out", "sentences.csv"), encoding="utf-8")) - 1
                rows.append((size, punct, secs, n))
    print(f"CPU: {model}; flags: {', '.join(flags) or 'none of avx2/avx512/amx'}; {os.cpu_count()} cores\n")
    print("| text | sentences | seconds | sentences/s |")
    print("|---|---:|---:|---:|")
    for size, punct, secs, n in rows:
        kind = "period every 20 words" if punct else "no sentence ends"
        print(f"| {size / 1e6:.1f} MB, {kind} | {n} | {secs:.1f} | {n / secs:.0f} |")
    t = {(s, p): secs for s, p, secs, _ in rows}
    growth = t[(2_000_000, False)] / t[(500_000, False)]
    versus = t[(2_000_000, False)] / t[(2_000_000, True)]
    print(f"\n2 MB / 0.5 MB without sentence ends: {growth:.2f}x (linear: 4x; target <= 4.6x)")
    print(f"2 MB without / with sentence ends: {versus:.2f}x (target <= 2x)")
    ok = growth <= 4.6 and versus <= 2.0
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
