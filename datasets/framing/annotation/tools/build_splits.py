#!/usr/bin/env python3
"""Builds ../train.csv and ../test.csv (datasets/framing/) from the drawn candidates and the annotation passes.

- Labels come from the first pass (annotations/partN.csv).
- Test sentences that were annotated twice (second-pass/second1.csv, second2.csv, an
  independent pass from the codebook alone) take the agreed labels, or the adjudicated ones
  (second-pass/adjudicated.csv) where the passes disagreed.
- The split is fixed per document by the candidate files, so no document is on both sides.
Also prints the agreement between the two passes (Cohen's kappa and F1 per frame).
"""
import csv, glob, os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FRAMES = ["hegemony", "cooperation", "security"]


def read(path):
    with open(os.path.join(HERE, path), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    cands = {}
    for path in sorted(glob.glob(os.path.join(HERE, "candidates*.csv"))):
        for r in read(os.path.basename(path)):
            cands[r["id"]] = r
    first = {}
    for path in sorted(glob.glob(os.path.join(HERE, "annotations", "part*.csv"))):
        for r in read(os.path.relpath(path, HERE)):
            first[r["id"]] = r
    missing = [i for i in cands if i not in first]
    assert not missing, f"{len(missing)} candidates not annotated, e.g. {missing[:3]}"
    second = {r["id"]: r for k in (1, 2) for r in read(f"second-pass/second{k}.csv")}
    adjudicated = {r["id"]: r for r in read("second-pass/adjudicated.csv")}

    print("agreement between the two independent passes on", len(second), "test sentences")
    for f in FRAMES:
        a = [int(first[i][f]) for i in sorted(second)]
        b = [int(second[i][f]) for i in sorted(second)]
        n = len(a)
        po = sum(x == y for x, y in zip(a, b)) / n
        pa, pb = sum(a) / n, sum(b) / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        f1 = 2 * sum(x & y for x, y in zip(a, b)) / (sum(a) + sum(b))
        print(f"  {f:12} agreement {po:.3f}  kappa {(po - pe) / (1 - pe):.3f}  F1 {f1:.3f}")

    out = {"train": [], "test": []}
    for i, c in cands.items():
        labels = {f: first[i][f] for f in FRAMES}
        note = first[i]["note"]
        if i in second:
            if i in adjudicated:
                labels = {f: adjudicated[i][f] for f in FRAMES}
                note = "adjudicated: " + adjudicated[i]["reason"]
            else:
                assert all(second[i][f] == labels[f] for f in FRAMES), i
        out[c["split"]].append({"id": i, "doc": c["doc"], "text": c["text"], **labels, "note": note})
    for split, rows in out.items():
        rows.sort(key=lambda r: r["id"])
        with open(os.path.join(HERE, "..", f"{split}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=["id", "doc", "text", *FRAMES, "note"])
            w.writeheader()
            w.writerows(rows)
        pos = {f: sum(int(r[f]) for r in rows) for f in FRAMES}
        none = sum(all(r[f] == "0" for f in FRAMES) for r in rows)
        print(f"{split}: {len(rows)} sentences, {len({r['doc'] for r in rows})} documents, "
              f"positives {pos}, no frame {none}")


if __name__ == "__main__":
    main()
