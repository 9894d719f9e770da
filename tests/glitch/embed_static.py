#!/usr/bin/python3
"""A sentence embedder for `tok analyze glitch --embed-cmd`: the protocol is one
JSON array of texts per line on stdin, one JSON array of vectors per line on
stdout.  This one recomputes libtok's static embedder independently (ids from
`tok encode`, mean of the .npy matrix's rows, minus the mean row), so the
sticky results through the command must match the built-in embedder's.

embed_static.py TOK TOKENIZER MATRIX.npy
"""
import json, subprocess, sys, tempfile
import numpy as np

tok, tokenizer, npy = sys.argv[1:4]
m = np.load(npy).astype(np.float64)
mean = m.mean(axis=0)


def ids_of(texts):
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt") as f:
        f.write("\n".join(texts) + "\n")
        f.flush()
        out = subprocess.run([tok, "encode", "-t", tokenizer, "--no-special", "--lines", f.name],
                             capture_output=True, text=True, check=True).stdout.split("\n")
    return [[int(x) for x in line.split()] for line in out[:len(texts)]]


for line in sys.stdin:
    texts = json.loads(line)
    if any("\n" in t for t in texts):
        all_ids = [sum(ids_of([t]), []) if "\n" not in t else [] for t in texts]
    else:
        all_ids = ids_of(texts)
    vecs = []
    for ids in all_ids:
        ids = [i for i in ids if 0 <= i < len(m)]
        v = m[ids].astype(np.float32).astype(np.float64).mean(axis=0) - mean if ids else -mean
        vecs.append([float(x) for x in v])
    sys.stdout.write(json.dumps(vecs) + "\n")
    sys.stdout.flush()
