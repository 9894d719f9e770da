#!/bin/sh
# make bench: libtok side by side with the references, in the same run, on the
# same texts.  Checks that ids are identical, prints MB/s and ratios, threads 1
# and 2, load times and peak RSS, as a Markdown table (also saved to
# $TOK_CACHE/bench/latest.md).
#
#   BENCH_QUICK=1   smaller texts (1.5 MB English) for a fast look
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
export TOK_CACHE RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
TK=$TOK_CACHE/tokenizers
TX=$TOK_CACHE/texts
OUT=$TOK_CACHE/bench
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

BIN=build/tokbench
make -s "$BIN" >/dev/null || exit 1

# --- texts ------------------------------------------------------------------
if [ "${BENCH_QUICK:-0}" = 1 ]; then cp "$TX/english.txt" "$W/english.txt"
else cp "$TX/english-10m.txt" "$W/english.txt"; fi
# multilingual: the UDHR paragraphs repeated to ~4 MB
for i in 1 2 3 4; do cat "$TX/multilingual.txt"; done > "$W/multilingual.txt"
cp "$TX/code.txt" "$W/code.txt"
# adversarial: no split points at all
node -e '
const fs=require("fs"), d=process.argv[1], M=1<<20;
fs.writeFileSync(d+"/one-letter.txt","a".repeat(M));
fs.writeFileSync(d+"/one-multibyte.txt","é".repeat(M/2));
fs.writeFileSync(d+"/digits.txt","7".repeat(M));
let s="", x=12345; for(let i=0;i<M;i++){x=(x*1103515245+12345)&0x7fffffff; s+=String.fromCharCode(33+(x>>16)%94);} 
fs.writeFileSync(d+"/random-ascii.txt",s);' "$W"

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.1f×", a/b; else print "-" }'; }

row() { # NAME TOKENIZER TEXT REFKIND REFARG
    name=$1 tk=$2 text=$3 ref=$4 refarg=$5
    l1=$($BIN -t "$tk" "$W/$text.txt" --ids "$W/lt.ids" 2>"$W/err") || { echo "| $name | $text | libtok failed: $(head -c 200 "$W/err") |"; return; }
    l2=$($BIN -t "$tk" "$W/$text.txt" --threads 2 --ids "$W/lt2.ids" 2>/dev/null)
    m1=$(echo "$l1" | field mb_s); m2=$(echo "$l2" | field mb_s)
    ld=$(echo "$l1" | field load_ms); rss=$(echo "$l1" | field peak_rss_mb)
    same2=yes; cmp -s "$W/lt.ids" "$W/lt2.ids" || same2=NO
    if [ "$ref" = none ]; then
        echo "| $name | $text | $m1 | $m2 ($same2) | - | - | - | $ld | $rss |"
        return
    fi
    r=$(node bench/ref_bench.js "$ref" "$refarg" "$W/$text.txt" "$W/ref.ids" 2>"$W/rerr") || { echo "| $name | $text | $m1 | $m2 | $ref failed |"; return; }
    rm=$(echo "$r" | field mb_s); rl=$(echo "$r" | field load_ms)
    same=yes; cmp -s "$W/lt.ids" "$W/ref.ids" || same=NO
    echo "| $name | $text | $m1 | $m2 (same: $same2) | $ref $rm | $(ratio "$m1" "$rm") | $same | $ld (ref $rl) | $rss |"
}

{
echo "libtok bench, $(date -u +%Y-%m-%d), $(nproc) cores: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
echo
echo "| tokenizer | text | libtok MB/s (1 thread) | 2 threads | reference MB/s | ratio | identical ids | load ms | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|"
for text in english multilingual code; do
    row "llama3 (tokenizer.json)" "$TK/llama3.json" $text hf "$TK/llama3.json"
    row "o200k (tokenizer.json)" "$TK/o200k.json" $text hf "$TK/o200k.json"
    row "o200k_base.tiktoken" "$TK/o200k_base.tiktoken" $text tiktoken o200k_base
    row "o200k_base.tiktoken" "$TK/o200k_base.tiktoken" $text gpt-tokenizer o200k_base
    row "cl100k_base.tiktoken" "$TK/cl100k_base.tiktoken" $text tiktoken cl100k_base
    row "cl100k_base.tiktoken" "$TK/cl100k_base.tiktoken" $text gpt-tokenizer cl100k_base
    row "mistral (tokenizer.json)" "$TK/mistral.json" $text hf "$TK/mistral.json"
    row "gemma3 (tokenizer.json)" "$TK/gemma3.json" $text hf "$TK/gemma3.json"
    row "bert-base-uncased" "$TK/bert-base-uncased.json" $text hf "$TK/bert-base-uncased.json"
done
for text in one-letter one-multibyte digits random-ascii; do
    row "llama3 (tokenizer.json)" "$TK/llama3.json" $text none -
    row "o200k_base.tiktoken" "$TK/o200k_base.tiktoken" $text none -
    row "cl100k_base.tiktoken" "$TK/cl100k_base.tiktoken" $text none -
done
} | tee "$OUT/latest.md"

# Token health (tok analyze glitch): the whole-vocabulary pass (decode each id,
# re-encode) as user CPU seconds, load included, beside the same loop through
# the HF binding (bench/glitch_ref.js; its load not timed).
{
echo
echo "| token-health pass | ids | libtok CPU s (load + pass) | HF binding s (pass) | ratio | OK ids libtok / HF |"
echo "|---|---|---|---|---|---|"
for tk in llama3 o200k mistral gemma3; do
    /usr/bin/time -f "%U" -o "$W/time" ./tok analyze glitch -t "$TK/$tk.json" --json > "$W/g.json" 2>/dev/null || continue
    ours=$(cat "$W/time")
    okl=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.categories.OK+r.categories.OK_SPECIAL)' "$W/g.json")
    ref=$(node bench/glitch_ref.js "$TOK_CACHE/npm" "$TK/$tk.json" 2>/dev/null)
    rs=$(echo "$ref" | field seconds); rok=$(echo "$ref" | sed -n 's/.*"ok":\([0-9]*\).*/\1/p'); ids=$(echo "$ref" | field ids)
    echo "| $tk | $ids | $ours | $rs | $(ratio "$rs" "$ours") | $okl / $rok |"
done
} | tee -a "$OUT/latest.md"
