#!/usr/bin/python3
"""numpy reference speed of the keep policies at a long context, the same
work per step as bench/keep_bench.c (append, add one attention row, select
with np.argpartition, compact), vectorised as a Python engine would do it.
Prints one JSON line per policy."""
import json
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/tests/keep")
from keepref import load_policy, BIT  # noqa: E402


def bench(path, N, S):
    c = load_policy(path)
    if c["raters"] != "none":
        return None
    rng = np.random.default_rng(1)
    flags = rng.choice(np.array([BIT["separator"], BIT["special"], BIT["stopword"], 0], dtype=np.uint32),
                       size=N + S + 1, p=[0.12, 0.02, 0.20, 0.66])
    row = (rng.random(N + 1) / N).astype(np.float32)
    sinks, window = c["sinks"], c["window"]
    heavy = c["heavy"]
    seps = c["separators"]
    if seps > 0:
        seps = N // 8
    if heavy == 0:
        window = N - sinks - max(seps, 0)
    if heavy > 0:
        heavy = N - sinks - window
    pos = np.arange(N, dtype=np.int64)
    fl = flags[:N].copy()
    score = np.zeros(N, dtype=np.float64)
    born = np.arange(N, dtype=np.float64)
    appended = N
    t0 = time.perf_counter()
    for s in range(S):
        p = N + s
        pos = np.append(pos, p)
        fl = np.append(fl, flags[p])
        score = np.append(score, 0.0)
        born = np.append(born, appended)
        appended += 1
        a = row[: len(pos)].astype(np.float64)
        if c["mode"] == "decay":
            score = c["alpha"] * score + a
        elif c["mode"] != "none":
            score += a
        n = len(pos)
        if n <= N:
            continue
        keep = np.zeros(n, dtype=bool)
        keep[:sinks] = True
        if window:
            keep[n - window:] = True
        if c["protect"]:
            keep |= (fl & c["protect"]) != 0
        if seps:
            region = np.nonzero(~keep[: n - window] & ((fl[: n - window] & c["separator_flags"]) != 0))[0]
            keep[region[-seps:] if seps > 0 else region] = True
        hh = heavy if heavy >= 0 else max(0, N - int(keep.sum()))
        cand = np.nonzero(~keep)[0]
        if hh > 0:
            sc = score[cand] / (appended - born[cand]) if c["mode"] == "normalized" else score[cand]
            if hh >= len(cand):
                keep[cand] = True
            else:
                keep[cand[np.argpartition(-sc, hh - 1)[:hh]]] = True
        pos, fl, score, born = pos[keep], fl[keep], score[keep], born[keep]
    dt = time.perf_counter() - t0
    return {"policy": c["name"], "positions": N, "steps": S, "steps_per_s": round(S / dt, 1),
            "bytes_per_position": 8 + 4 + 8 + 8}


if __name__ == "__main__":
    N, S = int(sys.argv[1]), int(sys.argv[2])
    for path in sys.argv[3:]:
        r = bench(path, N, S)
        if r:
            print(json.dumps(r), flush=True)
