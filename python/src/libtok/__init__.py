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

__version__ = "0.1.0"
__all__ = [
    "Encoding", "get_encoding", "encoding_for_model", "list_encoding_names", "MODEL_TO_ENCODING",
    "Tokenizer", "tokenizers", "LibtokError", "LIBRARY_VERSION",
]
