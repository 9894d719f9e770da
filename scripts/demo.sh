#!/bin/sh
# make demo: fetch a real tokenizer, encode and decode a sample, show the tokens.
set -e
cd "$(dirname "$0")/.."
sh scripts/fetch-refs.sh >/dev/null
TOK=${TOK:-./tok}
text='libtok encodes text exactly as the reference does — id for id. Ünïcödé, 日本語, emoji 🙂 too.'
for t in o200k_base llama3; do
    echo "== $t"
    $TOK info -t $t | sed -n '1,3p'
    printf '%s' "$text" > /tmp/libtok-demo.txt
    echo "text:   $text"
    printf 'ids:    '; $TOK encode -t $t /tmp/libtok-demo.txt
    printf 'tokens: '; $TOK encode -t $t --format tokens /tmp/libtok-demo.txt
    printf 'decode: '; $TOK encode -t $t --no-special /tmp/libtok-demo.txt | $TOK decode -t $t; echo
done
rm -f /tmp/libtok-demo.txt
