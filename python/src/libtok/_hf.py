"""HuggingFace tokenizers' interface on libtok (``libtok.Tokenizer``)."""
import array

from . import _libtok as _c

_W_ALL = _c.W_IDS | _c.W_CHAR_OFFSETS | _c.W_WORDS | _c.W_TYPES | _c.W_SPECIAL


def _i32(b):
    a = array.array("i")
    a.frombytes(b)
    return a


class Encoding:
    """The result of Tokenizer.encode, as HF's Encoding: offsets in characters."""

    __slots__ = ("_tok", "_ids", "_off", "_words", "_types", "_special")

    def __init__(self, tok, parts):
        self._tok = tok
        ids, off, words, types, special = parts
        self._ids = _i32(ids)
        self._off = off
        self._words = words
        self._types = types
        self._special = special

    def __len__(self):
        return len(self._ids)

    def __repr__(self):
        return f"Encoding(num_tokens={len(self)}, attributes=[ids, type_ids, tokens, offsets, attention_mask, special_tokens_mask, word_ids])"

    @property
    def ids(self):
        return self._ids.tolist()

    @property
    def ids_array(self):
        """libtok: the ids as array('i'), no Python int per token."""
        return self._ids

    @property
    def tokens(self):
        t = self._tok.token_text
        return [t(i) for i in self._ids]

    @property
    def offsets(self):
        o = array.array("I")
        o.frombytes(self._off)
        return list(zip(o[0::2], o[1::2]))

    @property
    def word_ids(self):
        w = _i32(self._words)
        return [None if x < 0 else x for x in w]

    @property
    def words(self):
        return self.word_ids

    @property
    def type_ids(self):
        return list(self._types)

    @property
    def special_tokens_mask(self):
        return list(self._special)

    @property
    def attention_mask(self):
        return [1] * len(self._ids)

    @property
    def sequence_ids(self):
        return [None if s else t for s, t in zip(self._special, self._types)]


class Tokenizer:
    """HF tokenizers.Tokenizer's interface: from_file, encode, encode_batch, decode..."""

    def __init__(self, tok):
        self._tok = tok

    @staticmethod
    def from_file(path):
        return Tokenizer(_c.Tok(path))

    @staticmethod
    def from_pretrained(name):
        """A built-in name libtok resolves (llama3, mistral, bert-base-uncased, ...)."""
        return Tokenizer(_c.Tok(name))

    def _flags(self, add_special_tokens):
        return _c.TOK_ENC_ADD_SPECIAL if add_special_tokens else 0

    def encode(self, sequence, pair=None, is_pretokenized=False, add_special_tokens=True, *, method=None, seed=0):
        if is_pretokenized:
            sequence = " ".join(sequence)
            if pair is not None:
                pair = " ".join(pair)
        m = _c.method_from_name(method) if method else 0
        return Encoding(self._tok, self._tok.encode(sequence, self._flags(add_special_tokens), m, _W_ALL, seed, pair))

    def encode_batch(self, inputs, is_pretokenized=False, add_special_tokens=True, *, num_threads=8, method=None):
        texts = list(inputs)
        if any(isinstance(x, (tuple, list)) and not is_pretokenized for x in texts):
            return [self.encode(x[0], x[1], False, add_special_tokens, method=method) if isinstance(x, (tuple, list))
                    else self.encode(x, None, False, add_special_tokens, method=method) for x in texts]
        if is_pretokenized:
            texts = [" ".join(x) for x in texts]
        m = _c.method_from_name(method) if method else 0
        res = self._tok.encode_batch(texts, self._flags(add_special_tokens), m, _W_ALL, num_threads)
        return [Encoding(self._tok, r) for r in res]

    def decode(self, ids, skip_special_tokens=True):
        return self._tok.decode(ids, _c.TOK_DEC_SKIP_SPECIAL if skip_special_tokens else 0)

    def decode_batch(self, sequences, skip_special_tokens=True, *, num_threads=8):
        return self._tok.decode_batch(list(sequences), _c.TOK_DEC_SKIP_SPECIAL if skip_special_tokens else 0, num_threads)

    def token_to_id(self, token):
        return self._tok.token_id(token)

    def id_to_token(self, id):
        return self._tok.token_text(id)

    def get_vocab(self, with_added_tokens=True):
        return self._tok.vocab(with_added_tokens)

    def get_vocab_size(self, with_added_tokens=True):
        if with_added_tokens:
            return self._tok.vocab_size
        return len(self._tok.vocab(False))

    @property
    def model_type(self):
        return self._tok.model

    # -- libtok's own: analyzers ------------------------------------------
    def glitch_report(self, meaningless=False):
        """Under-trained / glitch token categories as magikarp assigns them:
        {"counts": {bytes, unreachable, partial_utf8, special, vocab},
         "categories": [name of every id]} (see tok analyze glitch)."""
        counts, cats = self._tok.glitch(meaningless=meaningless)
        return {"counts": counts, "categories": cats}

    def language_stats(self, units, reference=None, uax29=False):
        """Per-language counts over (lang, text) units: tokens, bytes, chars,
        words (white space, or UAX #29 with uax29=True), fertility, continued
        words; with reference="en" also the Petrov et al. premium (tokens
        relative to the reference language's, on parallel text)."""
        rows = self._tok.lang_counts(list(units), uax29=uax29)
        for r in rows:
            r["fertility"] = r["word_tokens"] / r["words"] if r["words"] else 0.0
        if reference is not None:
            ref = next((r for r in rows if r["lang"] == reference), None)
            if ref is None:
                raise ValueError(f"no text for the reference language {reference!r}")
            for r in rows:
                r["premium"] = r["tokens"] / ref["tokens"] if ref["tokens"] else float("nan")
        return rows
