#!/usr/bin/python3
"""Write the fuzz seed corpora (tests/fuzz/corpus/<target>/): tiny synthetic
tokenizers in every format libtok reads, texts and id sequences.  Nothing
here comes from a real tokenizer file.  The .tokpack seeds are written by
`tok convert` (TOK=path/to/tok) from the tokenizer.json seeds.

    TOK=./tok /usr/bin/python3 tests/fuzz/mkseeds.py
"""
import base64
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
SP = "\u2581"


def bytelevel_chars():
    """GPT-2's byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BL = bytelevel_chars()


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def template(cls, sep):
    return {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": cls, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": sep, "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {cls: {"id": cls, "ids": [2], "tokens": [cls]},
                               sep: {"id": sep, "ids": [3], "tokens": [sep]}}}


def added(i, c, special=True):
    return {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": not special, "special": special}


def json_seeds():
    byte_vocab = {BL[b]: b for b in range(256)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a")]
    bv = dict(byte_vocab)
    for a, b in merges:
        bv[a + b] = len(bv)
    seeds = {}
    seeds["gpt2"] = {"version": "1.0", "added_tokens": [added(len(bv), "<|endoftext|>")],
                     "normalizer": None,
                     "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                                       "use_regex": True},
                     "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                                        "use_regex": True},
                     "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                                 "use_regex": True},
                     "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                               "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                               "ignore_merges": False, "vocab": bv, "merges": [a + " " + b for a, b in merges]}}
    seeds["llama3ish"] = {"added_tokens": [added(len(bv), "<|begin_of_text|>")],
                          "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                              {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
                               "behavior": "Isolated", "invert": False},
                              {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
                          "post_processor": {"type": "Sequence", "processors": [
                              {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
                              {"type": "TemplateProcessing",
                               "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                                          {"Sequence": {"id": "A", "type_id": 0}}],
                               "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                               "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [len(bv)],
                                                                        "tokens": ["<|begin_of_text|>"]}}}]},
                          "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                                      "use_regex": True},
                          "model": {"type": "BPE", "ignore_merges": True, "vocab": bv,
                                    "merges": [[a, b] for a, b in merges]}}
    wp = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4, "the": 5, "##s": 6, "hello": 7, "##lo": 8,
          "un": 9, "##aff": 10, "##able": 11, ",": 12, "!": 13, "\u4e2d": 14, "caf": 15, "##e": 16}
    seeds["bert"] = {"added_tokens": [added(i, t) for t, i in wp.items() if t.startswith("[")],
                     "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                                    "strip_accents": None, "lowercase": True},
                     "pre_tokenizer": {"type": "BertPreTokenizer"},
                     "post_processor": template("[CLS]", "[SEP]"),
                     "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
                     "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                               "max_input_chars_per_word": 100, "vocab": wp}}
    seeds["bert_proc"] = dict(seeds["bert"], post_processor={"type": "BertProcessing", "sep": ["[SEP]", 3],
                                                             "cls": ["[CLS]", 2]},
                              normalizer={"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "StripAccents"},
                                                                              {"type": "Lowercase"}]})
    uni = [["<unk>", 0.0], ["<s>", 0.0], ["</s>", 0.0], [SP, -2.0], [SP + "a", -3.0], ["a", -2.5], ["b", -3.0],
           ["ab", -2.8], [SP + "ab", -3.5], ["c", -4.0], ["\u00e9", -4.0]] + [["<0x%02X>" % i, -10.0] for i in range(256)]
    seeds["unigram"] = {"added_tokens": [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")],
                        "normalizer": {"type": "Sequence", "normalizers": [
                            {"type": "Precompiled", "precompiled_charsmap": None},
                            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
                        "pre_tokenizer": {"type": "Metaspace", "replacement": SP, "prepend_scheme": "always",
                                          "split": True},
                        "post_processor": {"type": "TemplateProcessing",
                                           "single": [{"Sequence": {"id": "A", "type_id": 0}},
                                                      {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                                           "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                                                    {"Sequence": {"id": "B", "type_id": 1}}],
                                           "special_tokens": {"</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
                        "decoder": {"type": "Metaspace", "replacement": SP, "prepend_scheme": "always", "split": True},
                        "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": True, "vocab": uni}}
    sv = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for i in range(256):
        sv["<0x%02X>" % i] = len(sv)
    for t in [SP, "a", "b", SP + "a", "ab", SP + "ab"]:
        sv[t] = len(sv)
    seeds["spm_bpe"] = {"added_tokens": [added(0, "<unk>"), added(1, "<s>"), added(2, "</s>")],
                        "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": SP},
                                                                          {"type": "Replace", "pattern": {"String": " "},
                                                                           "content": SP}]},
                        "pre_tokenizer": None,
                        "post_processor": {"type": "TemplateProcessing",
                                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                                      {"Sequence": {"id": "A", "type_id": 0}}],
                                           "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                                                    {"Sequence": {"id": "B", "type_id": 1}}],
                                           "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
                        "decoder": {"type": "Sequence", "decoders": [
                            {"type": "Replace", "pattern": {"String": SP}, "content": " "}, {"type": "ByteFallback"},
                            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
                        "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": True, "byte_fallback": True,
                                  "vocab": sv, "merges": [SP + " a", "a b", SP + "a b"]}}
    seeds["wordlevel"] = {"normalizer": {"type": "Sequence", "normalizers": [
                              {"type": "NFKC"}, {"type": "Lowercase"}, {"type": "Strip", "strip_left": True,
                                                                       "strip_right": True}]},
                          "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                              {"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "Isolated"},
                              {"type": "Digits", "individual_digits": True},
                              {"type": "UnicodeScripts"}, {"type": "CharDelimiterSplit", "delimiter": "-"}]},
                          "decoder": {"type": "CTC", "pad_token": "<pad>", "word_delimiter_token": "|",
                                      "cleanup": True},
                          "model": {"type": "WordLevel", "unk_token": "<unk>",
                                    "vocab": {"<unk>": 0, "<pad>": 1, "|": 2, "hello": 3, "world": 4, "1": 5, ",": 6}}}
    seeds["bpe_suffix"] = {"pre_tokenizer": {"type": "Whitespace"},
                           "decoder": {"type": "BPEDecoder", "suffix": "</w>"},
                           "model": {"type": "BPE", "end_of_word_suffix": "</w>",
                                     "dropout": 0.0, "vocab": {"a": 0, "b": 1, "ab</w>": 2, "b</w>": 3, "a</w>": 4},
                                     "merges": [["a", "b</w>"]]}}
    seeds["fixed"] = {"pre_tokenizer": {"type": "FixedLength", "length": 3},
                      "normalizer": {"type": "NFC"},
                      "model": {"type": "WordLevel", "unk_token": "?", "vocab": {"?": 0, "abc": 1}}}
    for k, v in seeds.items():
        write("load_json", k + ".json", json.dumps(v, ensure_ascii=False))
    return seeds


def tiktoken_seed():
    ranks = [bytes([b]) for b in range(256)] + [b"ab", b" t", b"he", b" the", b"in"]
    return "".join("%s %d\n" % (base64.b64encode(t).decode(), i) for i, t in enumerate(ranks))


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def ld(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def vint(field, v):
    return varint(field << 3) + varint(v)


def spm_model(model_type, pieces, byte_fallback=False):
    m = b""
    for text, score, typ in pieces:
        p = ld(1, text.encode()) + varint(2 << 3 | 5) + struct.pack("<f", score)
        if typ != 1:
            p += vint(3, typ)
        m += ld(1, p)
    trainer = vint(3, model_type) + (vint(35, 1) if byte_fallback else b"")
    m += ld(2, trainer)
    m += ld(3, ld(1, b"identity") + vint(3, 1) + vint(4, 1))
    return m


def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_kv_str(key, val):
    return gguf_str(key) + struct.pack("<I", 8) + gguf_str(val)


def gguf_kv_strs(key, vals):
    return gguf_str(key) + struct.pack("<IIQ", 9, 8, len(vals)) + b"".join(gguf_str(v) for v in vals)


def gguf_kv_u32(key, val):
    return gguf_str(key) + struct.pack("<II", 4, val)


def gguf_kv_u32s(key, vals):
    return gguf_str(key) + struct.pack("<IIQ", 9, 4, len(vals)) + b"".join(struct.pack("<I", v) for v in vals)


def gguf_kv_f32s(key, vals):
    return gguf_str(key) + struct.pack("<IIQ", 9, 6, len(vals)) + b"".join(struct.pack("<f", v) for v in vals)


def gguf(kvs):
    """A vocabulary-only GGUF (version 3, no tensors): llama.cpp's tokenizer.ggml.* keys."""
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs)


def gguf_seeds():
    toks = ["a", "b", "Ġ", "ab", "Ġab", "<|end|>"]
    write("load_gguf", "gpt2.gguf", gguf([
        gguf_kv_str("general.architecture", "gpt2"), gguf_kv_str("tokenizer.ggml.model", "gpt2"),
        gguf_kv_str("tokenizer.ggml.pre", "llama-bpe"), gguf_kv_strs("tokenizer.ggml.tokens", toks),
        gguf_kv_strs("tokenizer.ggml.merges", ["a b", "Ġ ab"]),
        gguf_kv_u32s("tokenizer.ggml.token_type", [1, 1, 1, 1, 1, 3])]))
    pieces = ["<unk>", "<s>", "</s>", SP, "a", "b", SP + "a", "ab"]
    write("load_gguf", "llama.gguf", gguf([
        gguf_kv_str("general.architecture", "llama"), gguf_kv_str("tokenizer.ggml.model", "llama"),
        gguf_kv_strs("tokenizer.ggml.tokens", pieces),
        gguf_kv_f32s("tokenizer.ggml.scores", [0, 0, 0, -1, -2, -2, -1.5, -1.5]),
        gguf_kv_u32s("tokenizer.ggml.token_type", [2, 3, 3, 1, 1, 1, 1, 1])]))
    write("load_gguf", "bert.gguf", gguf([
        gguf_kv_str("tokenizer.ggml.model", "bert"),
        gguf_kv_strs("tokenizer.ggml.tokens", ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "##s"]),
        gguf_kv_u32s("tokenizer.ggml.token_type", [3, 2, 3, 3, 1, 1]),
        gguf_kv_u32("tokenizer.ggml.unknown_token_id", 1), gguf_kv_u32("tokenizer.ggml.cls_token_id", 2),
        gguf_kv_u32("tokenizer.ggml.seperator_token_id", 3)]))


def main():
    gguf_seeds()
    json_seeds()
    write("load_tiktoken", "small.tiktoken", tiktoken_seed())
    uni = [("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3), (SP, -1, 1), ("a", -2, 1), ("b", -2, 1),
           (SP + "a", -1.5, 1), ("ab", -1.5, 1), ("<sep>", 0, 4)]
    write("load_spm", "unigram.model", spm_model(1, uni))
    bpe = [("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3)] + [("<0x%02X>" % i, 0, 6) for i in range(256)] + \
          [(SP + "t", -1, 1), ("he", -2, 1), (SP + "the", -3, 1), (SP, -4, 1), ("t", -5, 1), ("h", -6, 1), ("e", -7, 1)]
    write("load_spm", "bpe.model", spm_model(2, bpe, byte_fallback=True))
    write("load_bert", "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s\nhello\n##lo\nun\n##aff\n##able\n,\n!\n")
    write("load_bert", "cased.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nThe\n##S\nHello\n\u4e2d\n")
    gv = {BL[b]: b for b in range(256)}
    for t in ["Ġt", "he", "Ġthe", "<|endoftext|>"]:
        gv[t] = len(gv)
    write("load_gpt2", "gpt2", json.dumps(gv, ensure_ascii=False).encode() + b"\xff" +
          "#version: 0.2\nĠ t\nh e\nĠt he\n".encode())
    for name in ["bert.json", "unigram.json", "gpt2.json"]:
        src = os.path.join(OUT, "load_json", name)
        write("load_auto", name, open(src, "rb").read())
    write("load_auto", "small.tiktoken", tiktoken_seed())
    write("load_auto", "unigram.model", spm_model(1, uni))
    write("load_auto", "vocab.txt", "[PAD]\n[UNK]\nthe\n##s\n")
    tok = os.environ.get("TOK")
    if tok:
        os.makedirs(os.path.join(OUT, "load_tokpack"), exist_ok=True)
        # format 3, as written (mapped) and compressed; v2_*.tokpack are
        # seeds of the first format, which tok convert no longer writes
        for name in ["gpt2", "bert", "unigram", "spm_bpe"]:
            for suffix, extra in [(".tokpack", []), (".z.tokpack", ["--zstd=3"])]:
                out = os.path.join(OUT, "load_tokpack", name + suffix)
                subprocess.run([tok, "convert", "-t", os.path.join(OUT, "load_json", name + ".json"),
                                "-o", out] + extra, check=True)
                if os.path.getsize(out) > 65536:  # the stored tables: fuzzed through the compressed one
                    os.remove(out)
    texts = ["Hello, world! 123", "the the in  a\n\tb", "caf\u00e9 \u4e2d\u6587 \U0001F600 e\u0301",
             "<|endoftext|> [CLS] <s> ab" + SP + "a", "It's 2024; they'll   go\r\n", "aaaaaaaaaaaaaaaab"]
    for i, t in enumerate(texts):
        for which in range(6):
            if (i + which) % 2 == 0:
                write("encode", "t%d_%d" % (i, which), bytes([which + 6 * ((i * 7) % 40)]) + t.encode())
    write("encode", "invalid", bytes([0, 0xff, 0xfe, 0x41, 0xc3]))
    for which in range(6):
        ids = [0, 1, 2, 3, 5, 100, 200, 258, 259, 260, 261, 262, 263, 264, 7, 7, 15]
        write("decode", "d%d" % which, bytes([which]) + b"".join(struct.pack("<H", i) for i in ids))
    write("decode", "bytes", bytes([3]) + b"".join(struct.pack("<H", i) for i in [3 + 0xE4, 3 + 0xB8, 3 + 0xAD, 3 + 0xE4]))


if __name__ == "__main__":
    sys.exit(main())
