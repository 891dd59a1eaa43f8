#!/usr/bin/env python3
"""Checks that src/ keeps its architecture (issue 14): no import circle between modules, and the
stage folders depend only downwards:

    cmd (binary) -> pipeline, learn, report -> model, text, input, output -> doc

A module is a file (`src/model/encode.rs` is `model::encode`; `mod.rs` is its folder). An import
is any `crate::a::b` path in code (comments are skipped); `cmd` uses `framescore::`. Exits 1
naming every circle and every import that points the wrong way.
"""
import os, re, sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
# What each top-level part may import (besides itself and the crate root's helpers in lib.rs).
ALLOWED = {
    "doc": set(),
    "input": {"doc"},
    "text": {"doc"},
    "output": {"doc"},
    "model": {"doc", "text"},
    "learn": {"doc", "text", "model"},
    "pipeline": {"doc", "input", "text", "model", "output"},
    "report": {"doc", "text", "output"},
    "cmd": {"doc", "input", "text", "model", "output", "learn", "pipeline", "report"},
    "lib": set(),
    "main": {"cmd"},
}
PATH = re.compile(r"\b(?:crate|framescore)::((?:[a-z_][a-z0-9_]*)(?:::[a-z_][a-z0-9_]*)*)")
USE_GROUP = re.compile(r"\buse (?:crate|framescore)::\{([^}]*)\}")


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    if rel == ["lib"] or rel == ["main"]:
        return rel[0]
    return "::".join(rel)


def code(text):
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def main():
    files = {}
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(root, n)
                files[module_of(p)] = code(open(p, encoding="utf-8").read())
    modules = set(files)
    edges = {m: set() for m in modules}
    for m, text in files.items():
        paths = PATH.findall(text)
        for group in USE_GROUP.findall(text):
            paths += [p.strip().split(" ")[0] for p in group.split(",") if p.strip()]
        for p in paths:
            parts = p.split("::")
            # Longest prefix that names a module.
            for k in range(len(parts), 0, -1):
                target = "::".join(parts[:k])
                if target in modules:
                    break
            else:
                continue
            # A module's own children (its tests submodule) and itself are not dependencies.
            if target != m and not target.startswith(m + "::") and not m.startswith(target + "::"):
                edges[m].add(target)
    errors = []
    for m, targets in sorted(edges.items()):
        top = m.split("::")[0]
        for t in sorted(targets):
            ttop = t.split("::")[0]
            if ttop != top and ttop not in ALLOWED.get(top, set()):
                errors.append(f"{m} imports {t}: {top} may only use {sorted(ALLOWED.get(top, set()))}")
    # Circles: strongly connected components with more than one module (Tarjan).
    index, low, stack, on, sccs = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(modules):
        if v not in index:
            visit(v)
    for comp in sccs:
        errors.append("import circle: " + " <-> ".join(comp))
    n_edges = sum(len(t) for t in edges.values())
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"layout ok: {len(modules)} modules, {n_edges} imports, no circle, every import points down")


if __name__ == "__main__":
    main()
