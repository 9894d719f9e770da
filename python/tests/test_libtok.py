"""The Python package against the C library (the `tok` CLI of the same tree)
on the parity texts, and the tiktoken / HF interfaces' own rules."""
import array
import json
import os
import subprocess
import threading

import pytest

import libtok

CACHE = os.environ.get("TOK_CACHE", os.path.expanduser("~/.cache/libtok"))
TOK = os.environ.get("TOK", os.path.join(os.path.dirname(__file__), "..", "..", "tok"))
TEXTS = os.path.join(CACHE, "texts")


def lines(name, limit):
    with open(os.path.join(TEXTS, name), encoding="utf-8") as f:
        out = [l.rstrip("\n") for l in f]
    return out[:limit]


def c_encode(tokenizer, texts, special=True):
    """ids and byte offsets from the C CLI, one JSON object per line."""
    args = [TOK, "encode", "-t", tokenizer, "--lines", "--format", "json"]
    if not special:
        args.append("--no-special")
    r = subprocess.run(args, input="\n".join(texts).encode(), capture_output=True, check=True)
    return [json.loads(l) for l in r.stdout.decode().splitlines()]


def char_offsets(text, offs):
    """byte offsets -> character offsets, independently of the package."""
    b = text.encode("utf-8")
    out = []
    for s, e in offs:
        out.append((len(b[:s].decode("utf-8", "ignore")), len(b[:e].decode("utf-8", "ignore"))))
    return out


CASES = [
    ("o200k_base", "english.txt"), ("o200k_base", "multilingual.txt"), ("cl100k_base", "code.txt"),
    ("llama3", "multilingual.txt"), ("mistral", "multilingual.txt"), ("bert-base-uncased", "multilingual.txt"),
    ("albert", "english.txt"), ("gemma3", "hardcases.txt"),
]


@pytest.mark.parametrize("name,text", CASES)
def test_hf_interface_matches_c_library(name, text):
    texts = [t for t in lines(text, 400) if t]
    want = c_encode(name, texts)
    tok = libtok.Tokenizer.from_file(name)
    got = tok.encode_batch(texts, num_threads=2)
    assert len(got) == len(want)
    for t, g, w in zip(texts, got, want):
        assert g.ids == w["ids"]
        assert g.tokens == w["tokens"]
        assert g.offsets == char_offsets(t, w["offsets"])
    # one by one equals the batch
    for t, g in zip(texts[:50], got[:50]):
        e = tok.encode(t)
        assert e.ids == g.ids and e.offsets == g.offsets and e.word_ids == g.word_ids


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base", "r50k_base"])
def test_tiktoken_interface_matches_c_library(name):
    texts = [t for t in lines("multilingual.txt", 300) if t] + lines("code.txt", 200)
    want = c_encode(name, texts, special=False)
    enc = libtok.get_encoding(name)
    assert [enc.encode_ordinary(t) for t in texts] == [w["ids"] for w in want]
    assert enc.encode_ordinary_batch(texts, num_threads=2) == [w["ids"] for w in want]
    assert enc.decode_batch([w["ids"] for w in want]) == texts
    for t in texts[:100]:
        ids = enc.encode(t)
        assert enc.decode(ids) == t
        assert b"".join(enc.decode_tokens_bytes(ids)) == t.encode()
        assert enc.decode_bytes(ids) == t.encode()


def test_tiktoken_special_rules():
    enc = libtok.get_encoding("cl100k_base")
    assert enc.special_tokens_set >= {"<|endoftext|>", "<|fim_prefix|>"}
    eot = enc.eot_token
    assert eot == 100257
    with pytest.raises(ValueError, match="disallowed special token"):
        enc.encode("a <|endoftext|> b")
    plain = enc.encode("a <|endoftext|> b", disallowed_special=())
    assert eot not in plain
    assert plain == enc.encode_ordinary("a <|endoftext|> b")
    allowed = enc.encode("a <|endoftext|> b", allowed_special="all")
    assert allowed == enc.encode_ordinary("a ") + [eot] + enc.encode_ordinary(" b")
    # a subset: the allowed one is special, the other one is text (not checked)
    sub = enc.encode("<|endoftext|><|fim_prefix|>", allowed_special={"<|endoftext|>"}, disallowed_special=())
    assert sub == [eot] + enc.encode_ordinary("<|fim_prefix|>")
    with pytest.raises(ValueError):
        enc.encode("<|endoftext|><|fim_prefix|>", allowed_special={"<|endoftext|>"})
    assert enc.encode_single_token("<|endoftext|>") == eot
    assert enc.decode_single_token_bytes(eot) == b"<|endoftext|>"
    assert enc.encode_single_token("hello") == enc.encode_ordinary("hello")[0]
    with pytest.raises(KeyError):
        enc.encode_single_token("hello world, not one token")


def test_model_aliases():
    assert libtok.encoding_for_model("gpt-4o").name == "o200k_base"
    assert libtok.encoding_for_model("gpt-4-0613").name == "cl100k_base"
    assert libtok.encoding_for_model("gpt2").name == "r50k_base"
    with pytest.raises(KeyError):
        libtok.encoding_for_model("no-such-model")


def test_ids_without_python_objects():
    enc = libtok.get_encoding("o200k_base")
    text = "\n".join(lines("english.txt", 2000))
    a = enc.encode_ids(text)
    assert isinstance(a, array.array) and a.typecode == "i"
    assert a.tolist() == enc.encode(text)
    np = pytest.importorskip("numpy") if False else __import__("numpy")
    v = enc.encode_to_numpy(text)
    assert v.dtype == np.uint32 and v.tolist() == a.tolist()
    t = libtok.Tokenizer.from_file("llama3")
    e = t.encode(text)
    assert e.ids_array.tolist() == e.ids
    # ids from a numpy array or an array('i') decode like a list
    assert enc.decode(np.asarray(a, dtype=np.int64)) == enc.decode(a) == enc.decode(a.tolist()) == text


def test_pairs_and_special_tokens_bert():
    t = libtok.Tokenizer.from_file("bert-base-uncased")
    e = t.encode("Hello, world!", "How are you?")
    w = c_encode("bert-base-uncased", ["Hello, world!"])[0]
    assert e.ids[: len(w["ids"])] == w["ids"]
    assert e.tokens[0] == "[CLS]" and e.tokens[-1] == "[SEP]"
    assert set(e.type_ids) == {0, 1} and e.type_ids[-1] == 1
    assert e.special_tokens_mask[0] == 1 and e.word_ids[0] is None
    assert e.offsets[-2] == (11, 12)  # '?' in the second text, in its own characters
    assert e.attention_mask == [1] * len(e)
    assert t.decode(e.ids) == "hello, world! how are you?"
    assert t.decode(e.ids, skip_special_tokens=False).startswith("[CLS] hello")
    assert t.token_to_id("[CLS]") == 101 and t.id_to_token(101) == "[CLS]"
    assert t.token_to_id("no-such-token-here") is None
    assert len(t.get_vocab()) == t.get_vocab_size() == 30522
    assert t.encode("Hello", add_special_tokens=False).ids == [7592]


def test_methods_on_any_vocabulary():
    t = libtok.Tokenizer.from_file("llama3")
    text = "unbelievably tokenization"
    default = t.encode(text).ids
    fewest = t.encode(text, method="least-tokens").ids
    assert len(fewest) <= len(default)
    assert t.decode(fewest) == text
    with pytest.raises(ValueError, match="unknown method"):
        t.encode(text, method="nope")


def test_threads_share_one_tokenizer():
    enc = libtok.get_encoding("o200k_base")
    texts = [t for t in lines("multilingual.txt", 800) if t]
    want = [enc.encode_ordinary(t) for t in texts]
    errors = []

    def work(k):
        try:
            for i in range(k, len(texts), 4):
                if enc.encode_ordinary(texts[i]) != want[i]:
                    errors.append(i)
        except Exception as e:  # pragma: no cover
            errors.append(e)

    th = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for x in th:
        x.start()
    for x in th:
        x.join()
    assert errors == []


def test_errors():
    with pytest.raises(FileNotFoundError):
        libtok.Tokenizer.from_file("/no/such/tokenizer.json")
    t = libtok.Tokenizer.from_file("llama3")
    with pytest.raises(ValueError, match="invalid UTF-8 at byte offset 3"):
        t.encode(b"abc\xff")
    with pytest.raises(KeyError):
        t.decode([10**9])
    with pytest.raises(TypeError):
        t.encode(12345)


def test_analyzers_match_the_cli():
    t = libtok.Tokenizer.from_file("llama3")
    rep = t.glitch_report()
    cli = json.loads(subprocess.run([TOK, "analyze", "glitch", "-t", "llama3", "--json"], capture_output=True,
                                    check=True).stdout)
    for k in ("bytes", "unreachable", "partial_utf8", "special"):
        assert rep["counts"][k] == cli["counts"][k]
    assert len(rep["categories"]) == t.get_vocab_size()
    by_id = {x["id"]: x["category"] for x in cli["tokens"]}
    assert all(rep["categories"][i] == c for i, c in by_id.items())
    en = "All human beings are born free and equal in dignity and rights."
    de = "Alle Menschen sind frei und gleich an W\u00fcrde und Rechten geboren."
    rows = t.language_stats([("en", en), ("de", de)], reference="en")
    assert [r["lang"] for r in rows] == ["en", "de"]
    assert rows[0]["tokens"] == len(t.encode(en, add_special_tokens=False).ids)
    assert rows[1]["premium"] == rows[1]["tokens"] / rows[0]["tokens"]
    assert rows[0]["words"] == len(en.split())


def test_train_matches_the_cli(tmp_path):
    texts = lines("english.txt", 3000)
    corpus = "\n".join(texts) + "\n"   # a text is read as a file is: lines with their breaks
    a = libtok.train([corpus], "bpe", 600, str(tmp_path / "py.json"))
    (tmp_path / "c.txt").write_text(corpus, encoding="utf-8")
    subprocess.run([TOK, "train", "--model", "bpe", "--vocab-size", "600", "--pre", "bytelevel", "-o",
                    str(tmp_path / "cli.json"), str(tmp_path / "c.txt")], check=True, capture_output=True)
    b = libtok.Tokenizer.from_file(str(tmp_path / "cli.json"))
    assert a.get_vocab() == b.get_vocab()
    sample = " ".join(texts[:50])
    assert a.encode(sample).ids == b.encode(sample).ids
    assert a.decode(a.encode(sample).ids) == sample
