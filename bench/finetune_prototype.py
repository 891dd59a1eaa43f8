#!/usr/bin/env python3
"""Prototype: full fine-tuning of a sentence encoder on one sentence task, to measure what a
larger encoder could reach before building it into framescore (issues 3 and 4).

Mean-pooled token states, a linear head, BCE, AdamW (lr 2e-5 for the encoder, 1e-3 for the
head, linear decay after 10% warm-up), batches of 16 sentences of similar length, max 128
tokens. Validation rows are the ones `framescore tune` holds out (the same seeded split by
document); thresholds are chosen on them and the frozen test split is scored once.

    bench/.venv/bin/python bench/finetune_prototype.py frames mpnet 3
    bench/.venv/bin/python bench/finetune_prototype.py bias minilm 3

Arguments: task (frames | bias), encoder (minilm | mpnet), epochs. `mpnet` is installed by
bench/frame_variants.py's helper into bench/.mpnet/.
"""
import csv, os, random, sys, time

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frame_variants as F  # noqa: E402

TASKS = {
    "frames": ("datasets/framing/train.csv", "datasets/framing/test.csv", F.FRAMES),
    "bias": ("datasets/babe/train.csv", "datasets/babe/test.csv", ["biased"]),
}


def main():
    task, name, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    train_path, test_path, labels = TASKS[task]
    torch.manual_seed(42)
    random.seed(42)
    torch.set_num_threads(os.cpu_count())
    read = lambda p: list(csv.DictReader(open(os.path.join(F.ROOT, p), encoding="utf-8")))
    train, test = read(train_path), read(test_path)
    folds = F.folds_by_group([r["doc"] for r in train], 7, 42)
    held = [f == 0 and r["doc"] != F.DESIGN_ARTICLE for r, f in zip(train, folds)]
    fit = [r for r, h in zip(train, held) if not h]
    val = [r for r, h in zip(train, held) if h]
    path = F.mpnet_dir() if name == "mpnet" else os.path.join(F.ROOT, "models/minilm")
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, add_pooling_layer=False)
    head = torch.nn.Linear(model.config.hidden_size, len(labels))
    Y = lambda rows: torch.tensor([[float(r[l]) for l in labels] for r in rows])

    def batches(rows, shuffle):
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]["text"]))
        chunks = [order[i:i + 16] for i in range(0, len(order), 16)]
        if shuffle:
            random.shuffle(chunks)
        return chunks

    def forward(rows):
        enc = tok([r["text"] for r in rows], padding=True, truncation=True, max_length=128,
                  return_tensors="pt")
        h = model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        return head((h * m).sum(1) / m.sum(1).clamp_min(1e-9))

    steps = epochs * len(batches(fit, False))
    opt = torch.optim.AdamW([{"params": model.parameters(), "lr": 2e-5},
                             {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, 1.0) * max(0.0, (steps - s) / steps))
    start = time.time()
    for epoch in range(epochs):
        model.train()
        for b in batches(fit, True):
            rows = [fit[i] for i in b]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(forward(rows), Y(rows))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(f"epoch {epoch + 1}: {time.time() - start:.0f} s", flush=True)
    model.eval()

    def probs(rows):
        out = torch.zeros(len(rows), len(labels))
        with torch.no_grad():
            for b in batches(rows, False):
                out[b] = torch.sigmoid(forward([rows[i] for i in b]))
        return out.numpy()

    pv, pt, yv, yt = probs(val), probs(test), Y(val).numpy(), Y(test).numpy()
    def score(p, y, th):
        """F1 of the label; for a one-label task BABE's measure, macro-F1 over both classes
        (as framescore chooses the bias threshold)."""
        pos = F.f1(p, y, th)
        if len(labels) > 1:
            return pos
        return (pos + F.f1(1 - p, 1 - y, 1 - th + 1e-9)) / 2

    v, t = [], []
    for k, label in enumerate(labels):
        th = max(np.arange(0.05, 0.96, 0.05), key=lambda th: score(pv[:, k], yv[:, k], th))
        v.append(score(pv[:, k], yv[:, k], th))
        t.append(score(pt[:, k], yt[:, k], th))
        kind = "two-class macro-F1" if len(labels) == 1 else "F1"
        print(f"{label:12s} threshold {th:.2f} validation {kind} {v[-1]:.3f} test {t[-1]:.3f}")
    print(f"{task} {name} {epochs} epochs, {time.time() - start:.0f} s: validation macro-F1 "
          f"{np.mean(v):.3f}, test {np.mean(t):.3f}", flush=True)


if __name__ == "__main__":
    main()
