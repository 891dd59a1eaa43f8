#!/usr/bin/env python3
"""Score a corpus with framescore on Apache Spark.

The corpus is a JSONL file (one document per line: `text`, and `id`, `title`, `source`, `date`,
`url` when known) or a folder of files framescore reads. Each partition runs one framescore
process on its executor: JSONL lines go through `framescore score - --format jsonl` with
`RDD.pipe` (JSON lines in, JSON lines out); a folder's file paths are handed to `framescore score
PATH... --format jsonl` (the files must be visible to the executors at the same paths, as on a
shared or network file system). framescore's own rows come back as JSON and are written as
Parquet (sentences, terms and articles, partitioned by source); the corpus and per-source
summaries are computed with Spark itself.

The binary and its models reach the executors as an archive made by scripts/install.sh:

    scripts/install.sh --fast-only /tmp/fs && tar -C /tmp/fs -czf framescore.tgz .
    spark-submit --master yarn --archives framescore.tgz#fs \\
        examples/spark/framescore_spark.py corpus.jsonl --out out/ --framescore ./fs/bin/framescore

On one machine (local mode), the checkout's binary does:

    spark-submit --master 'local[*]' examples/spark/framescore_spark.py corpus.jsonl --out out/
    python3 examples/spark/framescore_spark.py corpus.jsonl --out out/ --master 'local[2]'

Scores are made with `--deterministic`, so a sentence scores the same whichever partition it
lands in; the rows equal those of one `framescore score --deterministic` run over the same input
(tests/spark.rs checks it). Article ids must be unique across the corpus: one run gives repeated
ids suffixes (#2, #3) in input order, which partitions scored apart cannot know.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

from pyspark.sql import SparkSession, functions as F

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT_BINARY = os.path.join(HERE, "..", "..", "target", "release", "framescore")


def framescore_binary(given):
    for candidate in (given, CHECKOUT_BINARY, shutil.which("framescore")):
        if candidate:
            return candidate
    sys.exit("no framescore binary: pass --framescore PATH (e.g. ./fs/bin/framescore from --archives)")


def score_paths(binary, extra):
    """A mapPartitions function: scores the file paths of one partition in one process."""

    def run(paths):
        paths = list(paths)
        if not paths:
            return iter(())
        proc = subprocess.run(
            [binary, "score", *paths, "--format", "jsonl", "--deterministic", "--quiet", *extra],
            stdout=subprocess.PIPE,
            check=False,
        )
        if proc.returncode not in (0, 1):  # 1: some documents failed; their rows say why
            raise RuntimeError(f"framescore exited {proc.returncode}")
        return iter(proc.stdout.decode("utf-8").splitlines())

    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="a JSONL file (one document per line) or a folder of documents")
    ap.add_argument("--out", required=True, help="output folder: Parquet rows and summary CSVs")
    ap.add_argument("--partitions", type=int, default=0, help="partitions (default: Spark's parallelism)")
    ap.add_argument("--framescore", help="the framescore binary on the executors (default: the checkout's)")
    ap.add_argument("--threads", type=int, default=1, help="framescore threads per partition (default 1)")
    ap.add_argument("--master", help="Spark master when run with python3 instead of spark-submit")
    args = ap.parse_args()

    builder = SparkSession.builder.appName("framescore")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    parts = args.partitions or sc.defaultParallelism
    binary = framescore_binary(args.framescore)
    extra = ["--threads", str(args.threads)]

    if os.path.isdir(args.corpus):
        paths = sorted(
            os.path.join(root, name)
            for root, dirs, files in os.walk(args.corpus)
            for name in files
            if not name.startswith(".")
        )
        lines = sc.parallelize(paths, parts).mapPartitions(score_paths(binary, extra))
    else:
        docs = sc.textFile(args.corpus).filter(lambda l: l.strip()).repartition(parts)
        command = [binary, "score", "-", "--format", "jsonl", "--deterministic", "--quiet", *extra]
        # RDD.pipe: each partition's lines on the process's standard input, its output lines back.
        lines = docs.pipe(" ".join(command), checkCode=False)

    lines = lines.cache()

    def kind(k):
        # framescore writes `kind` first, so each kind's lines are read with their own schema.
        prefix = '{"kind":"%s"' % k
        return spark.read.json(lines.filter(lambda l: l.startswith(prefix))).drop("kind")

    kinds = {k: kind(k) for k in ("sentence", "term", "article")}
    articles = kinds["article"].withColumn("source", F.coalesce(F.nullif(F.col("source"), F.lit("")), F.lit("(unknown)")))
    source_of = articles.select("article_id", "source")
    sentences = kinds["sentence"].join(source_of, "article_id")
    terms = kinds["term"].join(source_of, "article_id")
    for name, df in (("sentences", sentences), ("terms", terms), ("articles", articles)):
        cols = [c for c in df.columns if df.schema[c].dataType.simpleString() != "null"]
        df.select(*cols).write.mode("overwrite").partitionBy("source").parquet(os.path.join(args.out, name))

    # The summaries, computed by Spark from the rows.
    frames = [c[len("p_"):] for c in kinds["sentence"].columns if c.startswith("p_") and c != "p_biased"]
    sent_aggs = [F.count(F.lit(1)).alias("n_sentences")]
    for f in frames:
        carried = F.array_contains(F.split(F.col("frames"), ";"), f).cast("double")
        sent_aggs.append(F.avg(carried).alias(f"share_{f}"))
    sent_aggs += [
        F.avg("p_biased").alias("mean_p_biased"),
        F.avg((F.col("p_biased") >= 0.5).cast("double")).alias("share_biased"),
    ]
    art_aggs = [
        F.sum((F.col("status") == "ok").cast("long")).alias("n_articles"),
        F.sum((F.col("status") != "ok").cast("long")).alias("n_failed"),
        F.sum("n_words").alias("n_words"),
        F.sum("n_loaded_terms").alias("n_loaded_terms"),
    ]

    def summary(group):
        a = articles.groupBy(*group).agg(*art_aggs)
        s = sentences.groupBy(*group).agg(*sent_aggs)
        out = a.join(s, group, "left") if group else a.crossJoin(s)
        out = out.withColumn(
            "loaded_per_1k_words",
            F.when(F.col("n_words") > 0, F.col("n_loaded_terms") * 1000.0 / F.col("n_words")).otherwise(0.0),
        )
        return out.fillna(0)

    corpus = summary([])
    per_source = summary(["source"]).orderBy("source")
    for name, df in (("summary_corpus", corpus), ("summary_sources", per_source)):
        df.coalesce(1).write.mode("overwrite").option("header", True).csv(os.path.join(args.out, name))
    n = articles.count()
    print(json.dumps({"articles": n, "sentences": sentences.count(), "terms": terms.count(), "partitions": parts}))
    spark.stop()


if __name__ == "__main__":
    main()
