#!/usr/bin/env python3
"""What running framescore under Spark costs (issue 17): one run, on the same input, of
`framescore score --deterministic` (the whole process) and of examples/spark/framescore_spark.py
on `local[2]` with 4 partitions (Spark start-up, 4 framescore processes, Parquet and the
summaries). Input: the sample corpus as JSON lines plus datasets/ungdc-sample (200 UN General
Debate speeches). Prints the CPU, both times, sentences per second and the ratio.

    python3 bench/spark_overhead.py      # after scripts/setup.sh --spark; about 4 minutes on 2 cores
"""
import glob, json, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from cpuinfo import cpu  # noqa: E402
BIN = os.path.join(ROOT, "target", "release", "framescore")



def main():
    model, flags = cpu()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(corpus, "w", encoding="utf-8") as out:
            for p in sorted(glob.glob(os.path.join(ROOT, "datasets", "articles", "*"))):
                text = open(p, encoding="utf-8").read()
                out.write(json.dumps({"id": os.path.basename(p), "source": "sample", "text": text}) + "\n")
            out.write(open(os.path.join(ROOT, "datasets", "ungdc-sample", "speeches-200.jsonl"), encoding="utf-8").read())
        start = time.perf_counter()
        subprocess.run([BIN, "score", corpus, "--out", os.path.join(tmp, "single"), "--quiet",
                        "--no-report", "--deterministic"], check=True)
        single = time.perf_counter() - start
        n = sum(1 for _ in open(os.path.join(tmp, "single", "sentences.csv"), encoding="utf-8")) - 1
        start = time.perf_counter()
        subprocess.run([sys.executable, os.path.join(ROOT, "examples", "spark", "framescore_spark.py"), corpus,
                        "--out", os.path.join(tmp, "spark"), "--master", "local[2]", "--partitions", "4"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        spark = time.perf_counter() - start
    print(f"CPU: {model}; flags: {', '.join(flags)}; {os.cpu_count()} cores\n")
    print("| 231 documents, %d sentences | seconds | sentences/s | ratio |" % n)
    print("|---|---:|---:|---:|")
    print(f"| `framescore score --deterministic`, 2 threads | {single:.1f} | {n / single:.0f} | 1.00 |")
    print(f"| Spark job, `local[2]`, 4 partitions, 1 thread each | {spark:.1f} | {n / spark:.0f} | {single / spark:.2f} |")


if __name__ == "__main__":
    main()
