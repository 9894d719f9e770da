#!/bin/sh
# GGUF vocabularies from llama.cpp's sources (scripts/fetch.d/gguf.sh): every
# models/ggml-vocab-*.gguf loads (tensors are never read), and each one with
# test vectors encodes every text of its .inp as its .out says (ids from HF
# with add_special_tokens=False).  Prints one result line per vocabulary.
# Known differences are listed in tests/gguf/expected.txt ("NAME N": N
# texts may differ); any other difference, or a file that fails to load,
# fails the suite.  Also: hostile GGUF headers fail cleanly.
set -u
: "${TOK:?TOK must name the tok binary}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
if [ "${GGUF_NO_FETCH:-0}" != 1 ]; then
    FETCH_QUIET=1 sh "$ROOT/scripts/fetch-refs.sh" || { echo "FAIL: fetch-refs"; exit 1; }
fi
DIR=$CACHE/gguf/models
ls "$DIR"/ggml-vocab-*.gguf >/dev/null 2>&1 || { echo "FAIL: no GGUF vocabularies in $DIR"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
for f in "$DIR"/ggml-vocab-*.gguf; do
    name=$(basename "$f" .gguf); name=${name#ggml-vocab-}
    if ! "$TOK" info -t "$f" >"$tmp/info" 2>"$tmp/err"; then
        echo "FAIL $name: does not load: $(cat "$tmp/err")"; fail=1; continue
    fi
    if [ ! -f "$f.inp" ]; then
        echo "ok $name: loads, no test vectors ($(grep -m1 '^model ' "$tmp/info" | tr -s ' '))"; continue
    fi
    rm -rf "$tmp/t"; mkdir "$tmp/t"
    n=$(node "$ROOT/tests/gguf/split.js" "$f.inp" "$tmp/t") || { echo "FAIL $name: cannot split $f.inp"; fail=1; continue; }
    if ! "$TOK" encode -t "$f" --no-special "$tmp"/t/t*.txt >"$tmp/got" 2>"$tmp/err"; then
        echo "FAIL $name: encode failed: $(head -c 300 "$tmp/err")"; fail=1; continue
    fi
    sed 's/^ *//; s/ *$//' "$f.out" >"$tmp/want"
    sed 's/^ *//; s/ *$//' "$tmp/got" >"$tmp/got2"
    # texts 1..n compared line by line: how many differ, and the first
    set -- $(awk -v n="$n" 'NR == FNR { w[FNR] = $0; next }
        FNR <= n { g[FNR] = $0 }
        END { for (i = 1; i <= n; i++) if (w[i] != g[i]) { bad++; if (!first) first = i }
              print bad + 0, first + 0 }' "$tmp/want" "$tmp/got2")
    bad=$1 first=$2
    allowed=$(awk -v n="$name" '$1 == n { print $2 }' "$ROOT/tests/gguf/expected.txt")
    allowed=${allowed:-0}
    if [ "$bad" -eq 0 ]; then
        echo "ok $name: $n/$n texts equal to llama.cpp's vectors"
    elif [ "$bad" -le "$allowed" ]; then
        echo "ok $name: $((n - bad))/$n texts equal ($bad known differences, tests/gguf/expected.txt)"
    else
        t=$(printf 't%04d.txt' $((first - 1)))
        echo "FAIL $name: $bad/$n texts differ (allowed $allowed); first: text $first $(head -c 60 "$tmp/t/$t" | od -An -c | tr -s ' ' | head -c 120)"
        echo "  want: $(sed -n "${first}p" "$tmp/want" | head -c 200)"
        echo "  got:  $(sed -n "${first}p" "$tmp/got2" | head -c 200)"
        fail=1
    fi
done

# The same vocabulary as a tokenizer file of the cache (checked against the
# HF binding by the parity suite): identical ids on real text.  llama.cpp's
# SentencePiece vocabularies read special-token text as HF does; the .model
# file follows spm_encode, which does not: compare with it read as plain text.
TX=$CACHE/texts
for pair in "llama-bpe llama3.json" "llama-spm llama2.model --special-text plain"; do
    set -- $pair
    g=$DIR/ggml-vocab-$1.gguf; h=$CACHE/tokenizers/$2; shift 2
    if [ ! -f "$h" ] || [ ! -f "$g" ]; then echo "FAIL same-as $(basename "$g"): $h missing"; fail=1; continue; fi
    { cat "$TX/hardcases.txt"; head -n 1500 "$TX/multilingual.txt"; head -n 1500 "$TX/english.txt"; } >"$tmp/lines.txt"
    "$TOK" encode -t "$g" "$@" --lines --no-special --invalid replace "$tmp/lines.txt" >"$tmp/a" 2>&1
    "$TOK" encode -t "$h" --lines --no-special --invalid replace "$tmp/lines.txt" >"$tmp/b" 2>&1
    nl=$(wc -l <"$tmp/lines.txt"); nd=$(diff "$tmp/a" "$tmp/b" | grep -c '^<')
    if [ "$nd" -eq 0 ] && [ -s "$tmp/a" ]; then
        echo "ok same-as $(basename "$h"): ggml-vocab-$(basename "$g" .gguf | sed 's/ggml-vocab-//') gives the same ids on $nl lines"
    else
        echo "FAIL same-as $(basename "$h"): $nd of $nl lines differ"; fail=1
    fi
done

# Hostile headers: a clear error with a byte offset, quickly, never a crash.
one=$DIR/ggml-vocab-gpt-2.gguf
hostile() { # name, expected message part, file
    out=$("$TOK" info -t "$3" 2>&1); st=$?
    if [ $st -ne 1 ] || ! printf '%s' "$out" | grep -q "$2"; then
        echo "FAIL hostile $1: exit $st: $out"; fail=1
    else
        echo "ok hostile $1"
    fi
}
head -c 1000 "$one" >"$tmp/trunc.gguf"
hostile truncated "byte" "$tmp/trunc.gguf"
printf 'GGUF\003\000\000\000\000\000\000\000\000\000\000\000\377\377\377\377\377\377\377\017' >"$tmp/kv.gguf"
hostile kv-count "key/value pairs cannot fit" "$tmp/kv.gguf"
# an array that claims 2^60 strings
node -e '
const b = Buffer.alloc(64); let o = 0;
b.write("GGUF", o); o += 4; b.writeUInt32LE(3, o); o += 4;
b.writeBigUInt64LE(0n, o); o += 8; b.writeBigUInt64LE(1n, o); o += 8;
const k = "tokenizer.ggml.tokens"; const kb = Buffer.concat([Buffer.alloc(8), Buffer.from(k)]);
kb.writeBigUInt64LE(BigInt(k.length), 0);
const t = Buffer.alloc(16); t.writeUInt32LE(9, 0); t.writeUInt32LE(8, 4); t.writeBigUInt64LE(1n << 60n, 8);
process.stdout.write(Buffer.concat([b.subarray(0, o), kb, t, Buffer.from("xxxx")]));' >"$tmp/arr.gguf"
hostile array-count "runs past the end" "$tmp/arr.gguf"
printf 'GGUF\003\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$tmp/empty.gguf"
hostile no-tokenizer "tokenizer.ggml.model is missing" "$tmp/empty.gguf"
# an unsupported kind is named
node -e '
function str(s) { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(Buffer.byteLength(s)), 0); return Buffer.concat([b, Buffer.from(s)]); }
const h = Buffer.alloc(24); h.write("GGUF", 0); h.writeUInt32LE(3, 4); h.writeBigUInt64LE(0n, 8); h.writeBigUInt64LE(1n, 16);
const ty = Buffer.alloc(4); ty.writeUInt32LE(8, 0);
process.stdout.write(Buffer.concat([h, str("tokenizer.ggml.model"), ty, str("rwkv")]));' >"$tmp/rwkv.gguf"
hostile unsupported-kind 'kind "rwkv" is not supported' "$tmp/rwkv.gguf"
exit $fail
