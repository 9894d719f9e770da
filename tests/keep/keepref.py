#!/usr/bin/python3
"""Independent numpy reference of the keep policies, and a synthetic trace
generator.  Each rule is written from the published code (see the
data/policies/*.policy headers), not from libtok's C:

  streamingllm  StartRecentKVCache.__call__: if len > start+recent keep
                [0, start) + [len - recent, len)
  sepllm        SepLLM_KVCache_Manager.evict_except_for_sep with
                SEP_ACCUMULATION and USE_MAX_SEP_CACHE: keep init, the last
                sep_cache_size separators before the local window, the window
  h2o           H2OKVCache_LayerWise: hh_score += column sums; if len >
                hh + recent: topk(hh_score[:len - recent], hh) + recent
  a2sf          A2SFPolicy: scores weighted by alpha^(age of query); top
                (total - recent) before the recent window
  zipcache      score / (L - k) (lower-triangle count); the int((1 - r) * L)
                lowest are the unimportant ones
  sparsevlm     raters: softmax over text of image x text logits, mean over
                image tokens, above the mean; image scores: mean of the
                raters' attention; topk
The tie rule is libtok's documented one (torch.topk leaves ties unspecified):
equal scores keep the later position.

usage: keepref.py gen OUT --positions N --prefill P --groups G --seed S [--probe F] [--ties] [--span START LEN]
       keepref.py run POLICYFILE TRACE [--budget B] [--groups G]   (prints like tok prune)
"""
import math
import sys

import numpy as np

BITS = ["special", "separator", "punct", "space", "newline", "digit", "stopword",
        "byte", "partial", "unreachable", "word-start", "undertrained", "sticky"]
BIT = {n: 1 << i for i, n in enumerate(BITS)}


def flags_of(v):
    if v == "none":
        return 0
    f = 0
    for n in v.split(","):
        f |= BIT[n.strip()]
    return f


def load_policy(path):
    c = dict(mode="none", alpha=1.0, normalize="all-rows", sinks=0, window=0, separators=0,
             heavy=-1, budget=0, ratio=0.0, separator_flags=BIT["separator"], protect=0,
             weights={}, granularity="token", groups=1, raters="none", rater_exclude=0,
             rater_whole_words=False, span_budget=0, span_ratio=0.0)
    for line in open(path):
        line = line.split("#")[0].strip()
        if not line:
            continue
        k, v = [x.strip() for x in line.split("=", 1)]
        if k in ("sinks", "window", "groups"):
            c[k] = int(v)
        elif k == "separators":
            c[k] = -1 if v == "all" else int(v)
        elif k == "heavy":
            c[k] = -1 if v == "auto" else int(v)
        elif k == "budget":
            if "." in v:
                c["ratio"], c["budget"] = float(v), 0
            else:
                c["budget"], c["ratio"] = int(v), 0.0
        elif k == "span_budget":
            if "." in v:
                c["span_ratio"], c["span_budget"] = float(v), 0
            else:
                c["span_budget"], c["span_ratio"] = int(v), 0.0
        elif k == "alpha":
            c[k] = float(v)
        elif k in ("separator_flags", "protect", "rater_exclude"):
            c[k] = flags_of(v)
        elif k.startswith("weight."):
            c["weights"][BIT[k[7:]]] = float(v)
        elif k == "rater_whole_words":
            c[k] = v in ("yes", "true", "1")
        else:
            c[k] = v
    return c


# ---------------------------------------------------------------- generator

def gen(out, n, prefill, groups, seed, probe=1.0, ties=False, span=None, bias=False):
    rng = np.random.default_rng(seed)
    f = open(out, "w")
    f.write("tok-trace 1\ngroups %d\n" % groups)
    word = -1
    left = 0
    flags = []
    for p in range(n):
        fl = 0
        r = rng.random()
        if r < 0.12:
            fl |= BIT["separator"] | BIT["punct"]
        elif r < 0.14:
            fl |= BIT["special"]
        elif r < 0.34:
            fl |= BIT["stopword"]
        elif r < 0.40:
            fl |= BIT["punct"]
        if left == 0:
            word += 1
            left = int(rng.integers(1, 4))
            fl |= BIT["word-start"]
        left -= 1
        wid = -1 if fl & BIT["special"] else word
        flags.append(fl)
        f.write("p %d %d %d\n" % (p, fl, wid))
        if bias and p >= prefill and rng.random() < 0.02:
            a = int(rng.integers(0, p))
            b = a + int(rng.integers(1, 40))
            f.write("b %d %d %.9g\n" % (a, b, float(rng.choice([-0.5, 0.01, 10.0]))))
        if p + 1 < prefill:
            continue
        rows = range(prefill) if p + 1 == prefill else [p]
        if p + 1 == prefill and probe < 1.0:
            k = max(1, int(prefill * probe))
            rows = sorted(set(range(prefill - k // 2, prefill)) | set(int(x) for x in rng.integers(0, prefill, k - k // 2)))
        for q in rows:
            for g in range(groups):
                logits = rng.normal(0, 2.0, q + 1)
                logits[0] += 3.0  # a sink, as real models have
                a = np.exp(logits - logits.max())
                a = (a / a.sum()).astype(np.float32)
                if ties:
                    a = (np.round(a * 64) / 64).astype(np.float32)
                f.write("r %d %d %s\n" % (g, q, " ".join("%.9g" % x for x in a)))
        if span and p + 1 == prefill:
            pass
        f.write("s\n")
    f.close()


def gen_span(out, seed, prefix, nspan, ntext, with_rel):
    """a VLM prefill: prefix text, an image span, then the question rows rating it"""
    rng = np.random.default_rng(seed)
    f = open(out, "w")
    f.write("tok-trace 1\ngroups 1\n")
    n = prefix + nspan + ntext
    word = 0
    for p in range(n):
        if prefix <= p < prefix + nspan:
            f.write("p %d 0 -1\n" % p)
            continue
        r = rng.random()
        fl = 0
        if r < 0.15:
            fl = BIT["stopword"]
        elif r < 0.25:
            fl = BIT["punct"] | BIT["separator"]
        elif r < 0.28:
            fl = BIT["special"]
        if rng.random() < 0.6:
            word += 1
        f.write("p %d %d %d\n" % (p, fl, word))
    f.write("span %d %d\n" % (prefix, nspan))
    for q in range(prefix + nspan, n):
        logits = rng.normal(0, 1.5, q + 1)
        a = np.exp(logits - logits.max())
        a = (a / a.sum()).astype(np.float32)
        f.write("r 0 %d %s\n" % (q, " ".join("%.9g" % x for x in a)))
    if with_rel:
        for v in range(nspan):
            l = rng.normal(0, 1.0, ntext).astype(np.float32)
            f.write("x %d %s\n" % (v, " ".join("%.9g" % x for x in l)))
    f.write("s\n")
    f.close()


# ------------------------------------------------------------------ replay

def read_trace(path):
    recs = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        recs.append(line.split())
    assert recs[0] == ["tok-trace", "1"]
    return int(recs[1][1]), recs[2:]


def topk_later_wins(scores, pos, k):
    """indices of the k best: higher score first, equal scores -> later position"""
    order = np.lexsort((-np.asarray(pos, dtype=np.int64), -np.asarray(scores)))
    return order[:k]


class Group:
    def __init__(self):
        self.live = []      # positions
        self.score = {}     # position -> float64 accumulator
        self.seen = {}
        self.bias = {}


def run(policy, trace, budget=None, groups=None, out=sys.stdout):
    c = load_policy(policy)
    if budget is not None:
        span = c["raters"] != "none"
        key = "span_" if span else ""
        if "." in budget:
            c[key + "ratio"], c[key + "budget"] = float(budget), 0
        else:
            c[key + "budget"], c[key + "ratio"] = int(budget), 0.0
    if groups is not None:
        c["groups"] = groups
    G, recs = read_trace(trace)
    assert G == c["groups"]
    gs = [Group() for _ in range(G)]
    flags, words = [], []
    N = 0
    span = None
    rows = []  # (q, values) of group 0 during a span step
    rel = []
    for r in recs:
        if r[0] == "p":
            p, fl, w = int(r[1]), int(r[2]), int(r[3])
            flags.append(fl)
            words.append(w)
            for g in gs:
                g.live.append(p)
                g.score[p] = 0.0
                g.seen[p] = 0.0
            N += 1
        elif r[0] == "r":
            gi, q = int(r[1]), int(r[2])
            vals = np.array([float(x) for x in r[3:]], dtype=np.float64).astype(np.float32).astype(np.float64)
            g = gs[gi]
            for p in g.live:
                a = vals[p] if p <= q else 0.0
                if c["mode"] == "decay":
                    g.score[p] = c["alpha"] * g.score[p] + a
                elif c["mode"] in ("sum", "normalized"):
                    g.score[p] = g.score[p] + a
                if c["mode"] == "normalized" and p <= q:
                    g.seen[p] += 1
            if span is not None and gi == 0:
                rows.append((q, vals))
        elif r[0] == "b":
            lo, hi, v = int(r[1]), int(r[2]), float(np.float32(float(r[3])))
            for g in gs:
                for p in g.live:
                    if lo <= p < hi:
                        g.bias[p] = v
        elif r[0] == "span":
            span = (int(r[1]), int(r[2]))
            rows, rel = [], []
        elif r[0] == "x":
            rel.append(np.array([float(x) for x in r[2:]], dtype=np.float32).astype(np.float64))
        elif r[0] == "s":
            if span is not None:
                span_step(c, gs[0], span, rows, rel, flags, words)
                span = None
            else:
                for g in gs:
                    evict(c, g, N, flags, words)
            for g in gs:
                out.write(" ".join(str(p) for p in g.live) + "\n")


def budget_of(c, N):
    if c["ratio"] > 0:
        b = int(N - math.floor((1.0 - c["ratio"]) * N))
    else:
        b = c["budget"]
    return max(b, c["sinks"] + c["window"])


def eff(c, g, p, N, flags):
    if c["mode"] == "none":
        s = 0.0
    elif c["mode"] == "normalized":
        d = g.seen[p] if c["normalize"] == "probe-rows" else float(N - p)  # positions are 0..N-1
        s = g.score[p] / d if d > 0 else 0.0
    else:
        s = g.score[p]
    if g.bias:
        s += g.bias.get(p, 0.0)
    for b in range(len(BITS)):
        if flags[p] & (1 << b):
            s += c["weights"].get(1 << b, 0.0)
    return s


def evict(c, g, N, flags, words):
    B = budget_of(c, N)
    n = len(g.live)
    if n <= B:
        return
    live = g.live
    # sinks, window, protected
    head = live[:min(c["sinks"], n)]
    tail = live[n - min(c["window"], n):]
    keep = set(head) | set(tail)
    keep |= {p for p in live if flags[p] & c["protect"]}
    # separators before the window (SepLLM: newest first, at most s)
    if c["separators"] != 0:
        region = [p for p in live[len(head):n - len(tail)] if p not in keep and flags[p] & c["separator_flags"]]
        if c["separators"] > 0:
            region = region[-c["separators"]:] if len(region) > c["separators"] else region
        keep |= set(region)
    hh = c["heavy"] if c["heavy"] >= 0 else max(0, B - len(keep))
    cand = [p for p in live if p not in keep]
    if hh > 0 and cand:
        if hh >= len(cand):
            keep |= set(cand)
        else:
            units = []  # (score, first position, [positions])
            for p in cand:
                if (c["granularity"] == "word" and units and words[p] >= 0 and
                        words[units[-1][2][-1]] == words[p] and live.index(units[-1][2][-1]) + 1 == live.index(p)):
                    units[-1][2].append(p)
                else:
                    units.append([0.0, p, [p]])
            for u in units:
                tot = 0.0
                for p in u[2]:
                    tot += eff(c, g, p, N, flags)
                u[0] = tot / len(u[2]) if c["granularity"] == "word" else tot
            order = topk_later_wins([u[0] for u in units], [u[1] for u in units], len(units))
            room = hh
            for i in order:
                size = len(units[i][2])
                if size > room:
                    break
                room -= size
                keep |= set(units[i][2])
    g.live = [p for p in live if p in keep]


def span_step(c, g, span, rows, rel, flags, words):
    s0, ns = span
    nr = len(rows)
    rt = [True] * nr
    if c["raters"] == "above-mean":
        r = [0.0] * nr
        if rel:
            for v in range(ns):
                l = rel[v]
                mx = max(float(x) for x in l)
                z = 0.0
                for t in range(nr):
                    z += math.exp(float(l[t]) - mx)
                for t in range(nr):
                    r[t] += math.exp(float(l[t]) - mx) / z
            r = [x / ns for x in r]
        else:
            for t in range(nr):
                a = 0.0
                for v in range(ns):
                    a += float(rows[t][1][s0 + v])
                r[t] = a / ns
        m = 0.0
        for x in r:
            m += x
        m /= nr
        rt = [x > m for x in r]
    ex = c["rater_exclude"]
    rflags = [flags[q] for q, _ in rows]
    rwords = [words[q] for q, _ in rows]
    rt = [rt[t] and not (rflags[t] & ex) for t in range(nr)]
    if c["rater_whole_words"]:
        rating_words = {rwords[t] for t in range(nr) if rt[t] and rwords[t] >= 0}
        rt = [rt[t] or (rwords[t] in rating_words and not (rflags[t] & ex)) for t in range(nr)]
    if not any(rt):
        rt = [not (rflags[t] & ex) for t in range(nr)]
        if not any(rt):
            rt = [True] * nr
    raters = [t for t in range(nr) if rt[t]]
    scores = []
    for v in range(ns):
        a = 0.0
        for t in raters:
            a += float(rows[t][1][s0 + v])
        scores.append(a / len(raters))
    kb = int(math.floor(c["span_ratio"] * ns)) if c["span_ratio"] > 0 else c["span_budget"]
    kb = min(max(kb, 1), ns)
    best = topk_later_wins(scores, [s0 + v for v in range(ns)], kb)
    kept = {s0 + int(v) for v in best}
    g.live = [p for p in g.live if not (s0 <= p < s0 + ns) or p in kept]


def a2sf_prefill(policy, trace, out=sys.stdout):
    """A2SF's published form on one prefill step: score[k] = sum over the L
    query rows q of alpha^(L - 1 - q) * a[q, k] (its _window weights), then
    its _topk_with_recent: the last recent_budget positions and the top
    (total - recent) before them.  Prints the kept positions."""
    c = load_policy(policy)
    G, recs = read_trace(trace)
    rows = [r for r in recs if r[0] == "r" and r[1] == "0"]
    n = sum(1 for r in recs if r[0] == "p")
    L = len(rows)
    A = np.zeros((L, n))
    for i, r in enumerate(rows):
        v = np.array([float(x) for x in r[3:]], dtype=np.float32).astype(np.float64)
        A[i, :len(v)] = v
    window = c["alpha"] ** np.arange(L - 1, -1, -1, dtype=np.float64)
    scores = (A * window[:, None]).sum(axis=0)
    total, recent = c["budget"], c["window"]
    if n <= total:
        kept = list(range(n))
    else:
        head = n - recent
        top = topk_later_wins(scores[:head], np.arange(head), total - recent)
        kept = sorted(int(i) for i in top) + list(range(head, n))
    out.write(" ".join(str(p) for p in kept) + "\n")


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "gen":
        out = a[1]
        opt = dict(positions=1000, prefill=100, groups=1, seed=1, probe=1.0)
        ties, bias, i = False, False, 2
        while i < len(a):
            if a[i] == "--ties":
                ties = True
                i += 1
            elif a[i] == "--bias":
                bias = True
                i += 1
            else:
                opt[a[i][2:]] = float(a[i + 1]) if a[i] == "--probe" else int(a[i + 1])
                i += 2
        gen(out, opt["positions"], opt["prefill"], opt["groups"], opt["seed"], opt["probe"], ties, None, bias)
    elif a[0] == "a2sf":
        a2sf_prefill(a[1], a[2])
    elif a[0] == "genspan":
        gen_span(a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]), a[6] == "1")
    elif a[0] == "run":
        budget = groups = None
        i = 3
        while i < len(a):
            if a[i] == "--budget":
                budget = a[i + 1]
            elif a[i] == "--groups":
                groups = int(a[i + 1])
            i += 2
        run(a[1], a[2], budget, groups)
