"""libtok: exact, fast tokenizers (CPython binding of the libtok C library).

Two interfaces people already know, on one engine:

* tiktoken's: ``libtok.get_encoding("o200k_base")`` returns an object with
  ``encode``, ``encode_ordinary``, ``encode_batch``, ``decode``,
  ``decode_single_token_bytes`` ... and tiktoken's special-token rules.
* HuggingFace tokenizers': ``libtok.Tokenizer.from_file("tokenizer.json")``
  with ``encode`` / ``encode_batch`` returning an ``Encoding`` (``ids``,
  ``tokens``, ``offsets`` in characters, ``word_ids``, ``attention_mask``,
  ``type_ids``), ``decode``, ``token_to_id``, ``id_to_token``, ``get_vocab``.

libtok's own additions: any inference method on any vocabulary
(``method="least-tokens"``), ids as ``array('i')`` or numpy without a Python
object per token (``encode_ids``, ``encode_to_numpy``), the GIL released while
encoding, and batches on the library's threads.
"""
from ._libtok import LIBRARY_VERSION, LibtokError
from ._tiktoken import Encoding, get_encoding, encoding_for_model, list_encoding_names, MODEL_TO_ENCODING
from ._hf import Tokenizer
from . import _hf as tokenizers  # HF-style names: libtok.tokenizers.Tokenizer, .Encoding


def train(texts, model="bpe", vocab_size=30000, out="tokenizer.json", *, pre="bytelevel", like=None,
          min_frequency=0, special=()):
    """Train a vocabulary on texts (str items) with libtok's trainers (BPE as
    HF's BpeTrainer, WordPiece, WordLevel, Unigram, PathPiece) behind the
    pre-tokenizer `pre` (bytelevel, metaspace, bert, whitespace) or that of the
    tokenizer `like`; write OUT (.json, .model or .tokpack) and return it loaded.
    Each text is read as a file is: line by line, each line with its break."""
    from . import _libtok
    _libtok.train(list(texts), model, vocab_size, out, pre, like, min_frequency, tuple(special))
    return Tokenizer.from_file(out)

__version__ = "0.1.0"
__all__ = [
    "Encoding", "get_encoding", "encoding_for_model", "list_encoding_names", "MODEL_TO_ENCODING",
    "Tokenizer", "tokenizers", "train", "LibtokError", "LIBRARY_VERSION",
]
