#!/usr/bin/env python3
"""Agreement between the two coders on the double-coded sample: mention F1 (a mention agrees
when the spans overlap and the actor ids are equal), and, on the mentions both coders marked,
stance agreement (share equal, Cohen's kappa, macro-F1 of coder B against coder A).

usage: agreement.py annotated.jsonl second-coder.jsonl
"""
import json
import sys
from collections import Counter


def load(path):
    return {r["primary_gid"]: r for r in map(json.loads, open(path))}


def main(a_path, b_path):
    a, b = load(a_path), load(b_path)
    ids = [i for i in b if i in a]
    tp = na = nb = 0
    pairs = []
    fam = Counter()
    for i in ids:
        ta, tb = a[i]["targets"], b[i]["targets"]
        na += len(ta)
        nb += len(tb)
        used = set()
        for x in ta:
            for k, y in enumerate(tb):
                if k in used or y["actor"] != x["actor"]:
                    continue
                if x["from"] < y["to"] and y["from"] < x["to"]:
                    used.add(k)
                    tp += 1
                    pairs.append((x["polarity"], y["polarity"]))
                    break
        fam[a[i]["family"]] += 1
    p, r = tp / nb, tp / na
    print(f"sentences {len(ids)} ({dict(fam)}); mentions A {na}, B {nb}, agreed {tp}")
    print(f"mention agreement: F1 {2 * p * r / (p + r):.3f} (B against A: P {p:.3f} R {r:.3f})")
    labels = [2.0, 4.0, 6.0]
    agree = sum(x == y for x, y in pairs) / len(pairs)
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    pe = sum(ca[l] * cb[l] for l in labels) / len(pairs) ** 2
    kappa = (agree - pe) / (1 - pe)
    f1s = []
    for l in labels:
        t = sum(x == l and y == l for x, y in pairs)
        pp = sum(y == l for _, y in pairs)
        rr = sum(x == l for x, _ in pairs)
        f1s.append(2 * t / (pp + rr) if pp + rr else 0.0)
    print(f"stance on {len(pairs)} shared mentions: agreement {agree:.3f}, kappa {kappa:.3f}, "
          f"macro-F1 {sum(f1s) / 3:.3f} (neg {f1s[0]:.3f} neu {f1s[1]:.3f} pos {f1s[2]:.3f})")


if __name__ == "__main__":
    main(*sys.argv[1:3])
