"""The Python package beside Debian's python3-sentencepiece on the same .model,
and beside the C CLI on the same text, in one run; ids compared.  Prints a
Markdown table of ratios (single thread unless said).  Usage:
    python3 bench/python_bench.py TOK_BINARY CACHE_DIR"""
import os
import subprocess
import sys
import time

import libtok

tok_bin, cache = sys.argv[1], sys.argv[2]
text_path = os.path.join(cache, "texts", "english.txt")
lines = [l.rstrip("\n") for l in open(text_path, encoding="utf-8")]
lines = [l for l in lines if l]
nbytes = sum(len(l.encode()) for l in lines)


def best(f, reps=3):
    t = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        t.append(time.perf_counter() - t0)
    return min(t), out


rows = []
try:
    import sentencepiece as spm
except ImportError:
    spm = None
    print("python3-sentencepiece missing: sh scripts/deps.sh bench", file=sys.stderr)

for model in ("albert.model", "llama2.model", "smart.model"):
    path = os.path.join(cache, "tokenizers", model)
    t = libtok.get_encoding(path)   # the tiktoken-style interface: ids only, no offsets
    lt, lids = best(lambda: t.encode_ordinary_batch(lines, num_threads=1))
    lt2, _ = best(lambda: t.encode_ordinary_batch(lines, num_threads=2))
    lt1, _ = best(lambda: [t.encode_ordinary(l) for l in lines])
    if spm:
        sp = spm.SentencePieceProcessor(model_file=path)
        st, sids = best(lambda: sp.encode(lines))
        same = "yes" if sids == lids else f"no ({sum(a != b for a, b in zip(sids, lids))} lines differ)"
        rows.append((model, "python3-sentencepiece encode(list)", nbytes / st / 1e6, nbytes / lt / 1e6, st / lt, same))
    # the C CLI on the same lines (whole process: load included)
    t0 = time.perf_counter()
    subprocess.run([tok_bin, "encode", "-t", path, "--lines", "--no-special", text_path], check=True,
                   stdout=subprocess.DEVNULL)
    ct = time.perf_counter() - t0
    rows.append((model, "tok encode --lines (CLI process)", nbytes / ct / 1e6, nbytes / lt / 1e6, ct / lt, "-"))
    rows.append((model, "libtok per-call encode() loop", nbytes / lt1 / 1e6, nbytes / lt / 1e6, lt1 / lt, "-"))
    rows.append((model, "libtok encode_batch 2 threads (vs 1)", nbytes / lt / 1e6, nbytes / lt2 / 1e6, lt / lt2, "-"))

enc = libtok.get_encoding("o200k_base")
et, eids = best(lambda: enc.encode_ordinary_batch(lines, num_threads=1))
et2, _ = best(lambda: enc.encode_ordinary_batch(lines, num_threads=2))
rows.append(("o200k_base", "libtok encode_ordinary_batch 2 threads (vs 1)", nbytes / et / 1e6, nbytes / et2 / 1e6, et / et2, "-"))

print(f"Python package, {nbytes / 1e6:.1f} MB of English in {len(lines)} lines, best of 3")
print()
print("| tokenizer | compared with | their MB/s | libtok MB/s | libtok speed-up | identical ids |")
print("|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f}x | {r[5]} |")
