#!/bin/sh
# Derived tokenizer files for the parity suite (tests/parity/prep_derived.js):
# real tokenizers with another pre-tokenizer layout, renumbered added tokens,
# truncation and padding.  Written under $TOK_CACHE/tokenizers/derived/;
# skipped when the stamp matches.  Run by scripts/fetch-refs.sh.
set -eu
TK_DIR=$TOK_CACHE/tokenizers
OUT=$TK_DIR/derived
SCRIPT=$ROOT/tests/parity/prep_derived.js
KEY=$(cat "$SCRIPT" "$TK_DIR/.stamp" | sha256sum | cut -c1-16)
if [ "${FETCH_FORCE:-0}" != 1 ] && [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$KEY" ]; then
    [ "${FETCH_QUIET:-0}" = 1 ] || echo "fetch-refs: derived tokenizers: up to date"
    exit 0
fi
[ "${FETCH_QUIET:-0}" = 1 ] || echo "fetch-refs: derived tokenizers: writing $OUT"
mkdir -p "$OUT"
RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false node "$SCRIPT" "$NPM_DIR" "$TK_DIR" "$OUT"
echo "$KEY" > "$OUT/.stamp"
