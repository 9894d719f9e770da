#!/bin/sh
# make demo: fetch two real tokenizers (about 26 MB), then encode, count, show
# and decode a sample with each.
set -e
cd "$(dirname "$0")/.."
sh scripts/fetch-demo.sh
TOK=${TOK:-./tok}
text='libtok encodes text exactly as the reference does — id for id. Ünïcödé, 日本語, emoji 🙂 too.'
echo "text:   $text"
for t in o200k_base llama3; do
    echo
    echo "== $t"
    $TOK info -t $t | sed -n '2,3p'
    printf 'ids:    '; $TOK encode -t $t --text "$text"
    printf 'count:  '; $TOK count -t $t --text "$text"
    printf 'tokens: '; $TOK show -t $t --text "$text" | head -1
    printf 'decode: '; $TOK encode -t $t --no-special --text "$text" | $TOK decode -t $t; echo
done
echo
echo "More: ./tok --help, ./tok list, man ./man/tok.1; all references and tests: make check"
