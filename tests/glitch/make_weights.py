#!/usr/bin/python3
"""Build the glitch/weights test data from the fetched matrices (Debian's python3 + numpy).

make_weights.py CACHE_GLITCH_DIR OUT_DIR

For each real matrix (USE Lite Embeddings_en [8002, 256] with its SentencePiece
vocabulary; jieba lac_small word_emb [20941, 128] with word.dic) writes a
tokenizer.json and the matrix as .npy, .safetensors (F32, F16, BF16, and a
sharded copy with its index JSON) and .gguf (F32, F16); a synthetic matrix
with planted under-trained rows over the USE vocabulary (planted.txt lists
them); malformed files for the error tests; and ref_*.json: magikarp's
indicator formulas computed here with numpy (PCA by SVD) to check the C code.
"""
import json, os, struct, sys
import numpy as np

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def use_matrix():
    d = os.path.join(src, "use")
    man = json.load(open(os.path.join(d, "model.json")))
    for group in man["weightsManifest"]:
        blob = b"".join(open(os.path.join(d, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            size = {"float32": 4, "int32": 4}[w["dtype"]] * n
            if w["name"].endswith("Embeddings_en"):
                return np.frombuffer(blob[off:off + size], dtype="<f4").reshape(w["shape"]).copy()
            off += size
    raise SystemExit("Embeddings_en not found")


def use_tokenizer(path):
    vocab = json.load(open(os.path.join(src, "use", "vocab.json")))
    tj = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": None,
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 0, "vocab": [[p, 0.0 if s is None else float(s)] for p, s in vocab], "byte_fallback": False},
    }
    json.dump(tj, open(path, "w"), ensure_ascii=False)
    return len(vocab)


def jieba_matrix():
    raw = open(os.path.join(src, "jieba", "word_emb"), "rb").read()
    return np.frombuffer(raw[29:], dtype="<f4").reshape(20941, 128).copy()


def jieba_tokenizer(path):
    vocab = {}
    for line in open(os.path.join(src, "jieba", "word.dic"), encoding="utf-8"):
        i, w = line.rstrip("\n").split("\t")
        vocab.setdefault(w, int(i))
    unk = next(w for w, i in vocab.items() if i == 20940)  # the out-of-vocabulary row ("OOV")
    tj = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": None,
        "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "."}, "behavior": "Isolated", "invert": False},
        "post_processor": None, "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": unk},
    }
    json.dump(tj, open(path, "w"), ensure_ascii=False)


def bf16(m):
    u = m.astype("<f4").view("<u4").astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16  # round to nearest even
    return u.astype("<u2")


def write_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def write_gguf(path, tensors, align=32):
    kv = gguf_str("general.architecture") + struct.pack("<I", 8) + gguf_str("test")
    kv += gguf_str("general.alignment") + struct.pack("<I", 4) + struct.pack("<I", align)
    infos, datas, off = b"", [], 0
    for name, ggml_type, shape, data in tensors:
        infos += gguf_str(name) + struct.pack("<I", len(shape))
        for d in reversed(shape):  # GGUF lists the fastest dimension first
            infos += struct.pack("<Q", d)
        infos += struct.pack("<IQ", ggml_type, off)
        pad = b"\0" * (-len(data) % align)
        datas.append(data + pad)
        off += len(data) + len(pad)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), 2) + kv + infos
    head += b"\0" * (-len(head) % align)
    with open(path, "wb") as f:
        f.write(head + b"".join(datas))


def write_all(stem, m, embed_name="model.embed_tokens.weight"):
    f32 = m.astype("<f4").tobytes()
    np.save(os.path.join(out, stem + ".npy"), m.astype("<f4"))
    np.save(os.path.join(out, stem + "-f16.npy"), m.astype("<f2"))
    write_safetensors(os.path.join(out, stem + ".safetensors"), [(embed_name, "F32", m.shape, f32)])
    write_safetensors(os.path.join(out, stem + "-f16.safetensors"), [(embed_name, "F16", m.shape, m.astype("<f2").tobytes())])
    write_safetensors(os.path.join(out, stem + "-bf16.safetensors"), [(embed_name, "BF16", m.shape, bf16(m).tobytes())])
    write_gguf(os.path.join(out, stem + ".gguf"), [("token_embd.weight", 0, m.shape, f32)])
    write_gguf(os.path.join(out, stem + "-f16.gguf"), [("token_embd.weight", 1, m.shape, m.astype("<f2").tobytes())])
    sd = os.path.join(out, stem + "-sharded")
    os.makedirs(sd, exist_ok=True)
    norm = np.ones(m.shape[1], dtype="<f4")
    write_safetensors(os.path.join(sd, "model-00001-of-00002.safetensors"), [(embed_name, "F32", m.shape, f32)])
    write_safetensors(os.path.join(sd, "model-00002-of-00002.safetensors"), [("model.norm.weight", "F32", norm.shape, norm.tobytes())])
    json.dump({"metadata": {}, "weight_map": {embed_name: "model-00001-of-00002.safetensors",
                                              "model.norm.weight": "model-00002-of-00002.safetensors"}},
              open(os.path.join(sd, "model.safetensors.index.json"), "w"))


def cosine_distance(mat, v):
    return 1 - mat @ v / np.clip(np.linalg.norm(mat, axis=1) * np.linalg.norm(v), 1e-6, None)


def reference_indicators(m, unused):
    """magikarp's embedding_distance_metrics, written out with numpy (PCA by SVD)."""
    m = m.astype(np.float64)
    mean = m.mean(axis=0)
    _, _, vt = np.linalg.svd(m - mean, full_matrices=False)
    pc = vt[0]
    nopc = m - np.outer(m @ pc, pc)
    u = m[unused].mean(axis=0)
    cen = m - mean
    return {
        "E_out Cosine Distance": cosine_distance(m, u),
        "Centered E_out Cosine Distance": cosine_distance(cen, cen[unused].mean(axis=0)),
        "E_out Cosine Distance w/o 1st PC": cosine_distance(nopc, nopc[unused].mean(axis=0)),
        "E_out L2 Distance": np.linalg.norm(m - u, axis=1),
    }


def save_reference(stem, m, unused):
    ref = reference_indicators(m, unused)
    json.dump({k: [float(x) for x in v] for k, v in ref.items()}, open(os.path.join(out, "ref_" + stem + ".json"), "w"))


# real matrices
use = use_matrix()
nvocab = use_tokenizer(os.path.join(out, "use.json"))
write_all("use", use)
save_reference("use", use, list(range(nvocab, use.shape[0])))
jb = jieba_matrix()
jieba_tokenizer(os.path.join(out, "jieba.json"))
write_all("jieba", jb)
save_reference("jieba", jb, [20940])

# synthetic: a trained-looking matrix over the USE vocabulary with planted
# under-trained rows (all near one small vector, as rows that got only weight
# decay), rows 8000-8001 the reference set (same treatment), untied: an input
# embedding whose planted rows have small norms, and an output matrix.
rng = np.random.default_rng(13)
rows, dim = use.shape
common = rng.normal(0, 1, dim)
E_out = rng.normal(0, 1, (rows, dim)) + 0.5 * common
E_in = rng.normal(0, 1, (rows, dim))
ids = np.arange(6, nvocab)  # skip the unk/control pieces
planted = np.sort(rng.choice(ids, size=120, replace=False))
dead = 0.05 * rng.normal(0, 1, dim) + 0.5 * common
for r in list(planted) + [nvocab, nvocab + 1]:
    E_out[r] = dead + 0.02 * rng.normal(0, 1, dim)
    E_in[r] = 0.05 * rng.normal(0, 1, dim)
write_safetensors(os.path.join(out, "planted.safetensors"),
                  [("model.embed_tokens.weight", "F32", E_in.shape, E_in.astype("<f4").tobytes()),
                   ("lm_head.weight", "F32", E_out.shape, E_out.astype("<f4").tobytes())])
open(os.path.join(out, "planted.txt"), "w").write("\n".join(str(int(x)) for x in planted) + "\n")

# malformed files (the tests expect errors naming file, tensor and offset)
good = open(os.path.join(out, "use.safetensors"), "rb").read()
open(os.path.join(out, "bad-truncated.safetensors"), "wb").write(good[: len(good) // 2])
hl = struct.unpack("<Q", good[:8])[0]
open(os.path.join(out, "bad-hlen.safetensors"), "wb").write(struct.pack("<Q", 10**12) + good[8:])
h = json.loads(good[8:8 + hl])
h["model.embed_tokens.weight"]["shape"] = [9000, 256]
hb = json.dumps(h).encode(); hb += b" " * (-len(hb) % 8)
open(os.path.join(out, "bad-shape.safetensors"), "wb").write(struct.pack("<Q", len(hb)) + hb + good[8 + hl:])
h["model.embed_tokens.weight"]["shape"] = [8002, 256]
h["model.embed_tokens.weight"]["dtype"] = "F16"
hb = json.dumps(h).encode(); hb += b" " * (-len(hb) % 8)
open(os.path.join(out, "bad-dtype.safetensors"), "wb").write(struct.pack("<Q", len(hb)) + hb + good[8 + hl:])
h["model.embed_tokens.weight"]["dtype"] = "I8"
h["model.embed_tokens.weight"]["data_offsets"] = [0, 8002 * 256]
hb = json.dumps(h).encode(); hb += b" " * (-len(hb) % 8)
open(os.path.join(out, "bad-quant.safetensors"), "wb").write(struct.pack("<Q", len(hb)) + hb + good[8 + hl:])
gg = open(os.path.join(out, "use.gguf"), "rb").read()
open(os.path.join(out, "bad-truncated.gguf"), "wb").write(gg[: len(gg) - 1000])
open(os.path.join(out, "bad-header.gguf"), "wb").write(gg[:60])
write_gguf(os.path.join(out, "bad-quant.gguf"), [("token_embd.weight", 12, (8002, 256), b"\0" * (8002 * 256 // 256 * 144))])
npy = open(os.path.join(out, "use.npy"), "rb").read()
open(os.path.join(out, "bad-truncated.npy"), "wb").write(npy[:-4])
small = np.zeros((100, 256), dtype="<f4")
np.save(os.path.join(out, "bad-rows.npy"), small)
print("make_weights: wrote", out)
