"""tiktoken's interface on libtok (``libtok.get_encoding``)."""
import array
import re

from . import _libtok as _c

# Model names -> encodings, where unambiguous (as tiktoken's model table).
MODEL_TO_ENCODING = {
    "gpt-4o": "o200k_base", "gpt-4o-mini": "o200k_base", "gpt-4.1": "o200k_base", "o1": "o200k_base",
    "o3": "o200k_base", "o4-mini": "o200k_base", "gpt-5": "o200k_base",
    "gpt-4": "cl100k_base", "gpt-3.5-turbo": "cl100k_base", "text-embedding-ada-002": "cl100k_base",
    "text-embedding-3-small": "cl100k_base", "text-embedding-3-large": "cl100k_base",
    "text-davinci-003": "p50k_base", "text-davinci-002": "p50k_base", "code-davinci-002": "p50k_base",
    "davinci": "r50k_base", "curie": "r50k_base", "babbage": "r50k_base", "ada": "r50k_base",
    "gpt2": "r50k_base", "gpt-2": "r50k_base",
}
_PREFIXES = [("gpt-4o-", "o200k_base"), ("gpt-4.1-", "o200k_base"), ("o1-", "o200k_base"), ("o3-", "o200k_base"),
             ("gpt-5-", "o200k_base"), ("gpt-4-", "cl100k_base"), ("gpt-3.5-turbo-", "cl100k_base")]

_ENCODINGS = ("o200k_base", "cl100k_base", "p50k_base", "r50k_base")


def list_encoding_names():
    return list(_ENCODINGS)


def encoding_for_model(model_name):
    """The Encoding a model uses (``gpt-4o`` -> o200k_base)."""
    if model_name in MODEL_TO_ENCODING:
        return get_encoding(MODEL_TO_ENCODING[model_name])
    for prefix, enc in _PREFIXES:
        if model_name.startswith(prefix):
            return get_encoding(enc)
    raise KeyError(f"Could not automatically map {model_name} to a tokeniser. "
                   "Please use `libtok.get_encoding` to explicitly get the tokeniser you expect.")


_cache = {}


def get_encoding(encoding_name):
    """A tiktoken-style Encoding by name (o200k_base, cl100k_base, p50k_base,
    r50k_base), or any tokenizer file or built-in name libtok resolves."""
    enc = _cache.get(encoding_name)
    if enc is None:
        enc = Encoding(encoding_name)
        _cache[encoding_name] = enc
    return enc


def _ids(b):
    a = array.array("i")
    a.frombytes(b)
    return a


class Encoding:
    """tiktoken.Encoding's interface.  Thread-safe; the GIL is released while encoding."""

    def __init__(self, name, path=None):
        self.name = name
        self._tok = _c.Tok(path or name)
        self._special = {}
        for i, text, flags in self._tok.specials():
            if flags & _c.TOK_TOKEN_SPECIAL:
                self._special[text] = i
        self._special_re = None

    def __repr__(self):
        return f"<Encoding {self.name!r}>"

    # -- properties ------------------------------------------------------
    @property
    def n_vocab(self):
        return self._tok.vocab_size

    @property
    def max_token_value(self):
        return self._tok.vocab_size - 1

    @property
    def eot_token(self):
        return self._special.get("<|endoftext|>")

    @property
    def special_tokens_set(self):
        return set(self._special)

    # -- special-token rules (tiktoken's) --------------------------------
    def _allowed(self, allowed_special, disallowed_special):
        if allowed_special == "all":
            allowed = set(self._special)
        else:
            allowed = set(allowed_special)
        if disallowed_special == "all":
            disallowed = set(self._special) - allowed
        else:
            disallowed = set(disallowed_special)
        return allowed, disallowed

    def _check(self, text, disallowed):
        if not disallowed:
            return
        pat = "|".join(re.escape(s) for s in sorted(disallowed, key=len, reverse=True))
        m = re.search(pat, text)
        if m:
            raise ValueError(
                f"Encountered text corresponding to disallowed special token {m.group()!r}.\n"
                "If you want this text to be encoded as a special token, pass it to `allowed_special`, "
                f"e.g. `allowed_special={{{m.group()!r}, ...}}`.\n"
                "If you want this text to be encoded as normal text, disable the check for this token "
                "by passing `disallowed_special=(enc.special_tokens_set - {" + repr(m.group()) + "})`.\n"
                "To disable this check for all special tokens, pass `disallowed_special=()`.\n")

    def _encode_bytes(self, text, allowed):
        """ids as bytes of int32, with the allowed special tokens matched."""
        if not allowed:
            return self._tok.encode(text, _c.TOK_ENC_NO_SPECIAL_TEXT)[0]
        if allowed >= set(self._special):
            return self._tok.encode(text, _c.TOK_ENC_SPECIAL_TEXT)[0]
        # a subset: cut at the allowed specials, ordinary text between them
        pat = "|".join(re.escape(s) for s in sorted(allowed, key=len, reverse=True))
        out = bytearray()
        at = 0
        for m in re.finditer(pat, text):
            if m.start() > at:
                out += self._tok.encode(text[at:m.start()], _c.TOK_ENC_NO_SPECIAL_TEXT)[0]
            out += array.array("i", [self._special[m.group()]]).tobytes()
            at = m.end()
        if at < len(text):
            out += self._tok.encode(text[at:], _c.TOK_ENC_NO_SPECIAL_TEXT)[0]
        return bytes(out)

    # -- encoding --------------------------------------------------------
    def encode_ordinary(self, text):
        return _ids(self._tok.encode(text, _c.TOK_ENC_NO_SPECIAL_TEXT)[0]).tolist()

    def encode(self, text, *, allowed_special=set(), disallowed_special="all"):
        allowed, disallowed = self._allowed(allowed_special, disallowed_special)
        self._check(text, disallowed)
        return _ids(self._encode_bytes(text, allowed)).tolist()

    def encode_ids(self, text, *, allowed_special=set(), disallowed_special="all"):
        """libtok: the ids as array('i') (one buffer, no Python int per token)."""
        allowed, disallowed = self._allowed(allowed_special, disallowed_special)
        self._check(text, disallowed)
        return _ids(self._encode_bytes(text, allowed))

    def encode_to_numpy(self, text, *, allowed_special=set(), disallowed_special="all"):
        import numpy as np
        allowed, disallowed = self._allowed(allowed_special, disallowed_special)
        self._check(text, disallowed)
        return np.frombuffer(self._encode_bytes(text, allowed), dtype=np.uint32)

    def encode_ordinary_batch(self, text, *, num_threads=8):
        res = self._tok.encode_batch(list(text), _c.TOK_ENC_NO_SPECIAL_TEXT, threads=num_threads)
        return [_ids(r[0]).tolist() for r in res]

    def encode_batch(self, text, *, num_threads=8, allowed_special=set(), disallowed_special="all"):
        allowed, disallowed = self._allowed(allowed_special, disallowed_special)
        texts = list(text)
        for t in texts:
            self._check(t, disallowed)
        if not allowed or allowed >= set(self._special):
            flags = _c.TOK_ENC_NO_SPECIAL_TEXT if not allowed else _c.TOK_ENC_SPECIAL_TEXT
            return [_ids(r[0]).tolist() for r in self._tok.encode_batch(texts, flags, threads=num_threads)]
        return [_ids(self._encode_bytes(t, allowed)).tolist() for t in texts]

    def encode_single_token(self, text_or_bytes):
        if isinstance(text_or_bytes, str):
            if text_or_bytes in self._special:
                return self._special[text_or_bytes]
            text_or_bytes = text_or_bytes.encode("utf-8")
        ids = _ids(self._tok.encode(text_or_bytes, _c.TOK_ENC_NO_SPECIAL_TEXT)[0])
        if len(ids) != 1 or self._tok.token_bytes(ids[0]) != text_or_bytes:
            raise KeyError(text_or_bytes)
        return ids[0]

    # -- decoding --------------------------------------------------------
    def decode_bytes(self, tokens):
        return self._tok.decode(tokens, 0, True)

    def decode(self, tokens, errors="replace"):
        if errors == "replace":
            return self._tok.decode(tokens)
        return self._tok.decode(tokens, 0, True).decode("utf-8", errors)

    def decode_single_token_bytes(self, token):
        return self._tok.token_bytes(token)

    def decode_tokens_bytes(self, tokens):
        return [self._tok.token_bytes(t) for t in tokens]

    def decode_batch(self, batch, *, errors="replace", num_threads=8):
        if errors == "replace":
            return self._tok.decode_batch(list(batch), 0, num_threads)
        return [self.decode(b, errors) for b in batch]

    def decode_bytes_batch(self, batch):
        return [self.decode_bytes(b) for b in batch]

    def token_byte_values(self):
        out = []
        for i in range(self.n_vocab):
            if self._tok.token_flags(i) & (_c.TOK_TOKEN_NONE | _c.TOK_TOKEN_SPECIAL):
                continue
            out.append(self._tok.token_bytes(i))
        return out
