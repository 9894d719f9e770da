#!/bin/sh
# Language analyzers beside plain encoding (part of make bench):
#  - one pass of every analyzer (tok audit: fertility in running text and in
#    isolation, id counts for premium/efficiency/utilisation/dominant tokens)
#    over a multilingual corpus, as a ratio of plain encode throughput of the
#    same tokenizer (tokbench --offsets: its cold encode call) -- target >= 50%;
#  - the same on 2 threads -- target >= 1.8x: the median of LANG_BENCH_PAIRS
#    (5) back-to-back 1-thread/2-thread runs, load time (the one-line run)
#    subtracted from both; beside it, in the same run, plain encode's own
#    2-thread speed-up on the same file (tokbench --threads 2 --paired, cold:
#    what the machine gives two threads of the same encoder) and the CPU time
#    of 2 threads over 1 (above 1: work the threads add, e.g. contention);
#  - peak RSS on a corpus and on the same corpus 10x longer (streamed from
#    stdin): memory is bounded by vocabulary and word types, not corpus size.
#   LANG_BENCH_MB   size of the throughput corpus (default 20)
#   LANG_BENCH_BIG  sizes for the memory rows in MB (default "200 2000")
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
TK=$TOK_CACHE/tokenizers
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-langbench.XXXXXX")
trap 'rm -rf "$W"' EXIT
MB=${LANG_BENCH_MB:-20}
# the UDHR and LibreOffice help texts of all languages, line by line, to MB MB
cat "$TOK_CACHE"/lang/udhr34/*.txt "$TOK_CACHE"/lang/lohelp/*.txt > "$W/seed.txt"
: > "$W/mix.txt"
while [ "$(stat -c %s "$W/mix.txt")" -lt $((MB * 1000000)) ]; do cat "$W/seed.txt" >> "$W/mix.txt"; done
head -n 1 "$W/seed.txt" > "$W/one.txt"
bytes=$(stat -c %s "$W/mix.txt")
# CPU seconds (user + sys) and wall seconds of a command: the machine may be
# shared, so the one-thread ratio is taken on CPU time; threads need wall time.
run() { /usr/bin/time -f "%U %S %e" -o "$W/t" "$@" > /dev/null 2>&1; awk '{printf "%.3f %.3f", $1+$2, $3}' "$W/t"; }
echo "language analyzers, $(date -u +%Y-%m-%d), $(nproc) cores, corpus $((bytes / 1000000)) MB (UDHR + LibreOffice help, $(ls "$TOK_CACHE"/lang/udhr34/*.txt "$TOK_CACHE"/lang/lohelp/*.txt | wc -l) language files, line units)"
echo
echo "| tokenizer | encode MB/s (CPU) | analyzers MB/s (1 thread, CPU) | ratio | analyzers 2 threads (wall) | 1 thread (wall) | speed-up | plain encode speed-up, 2 threads | CPU 2 threads ÷ 1 |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in cl100k_base o200k_base llama3 mistral gemma3 bert-base-uncased; do
    f=$t; [ -f "$TK/$t.json" ] && f=$TK/$t.json; [ -f "$TK/$t.tiktoken" ] && f=$TK/$t.tiktoken
    # plain encode: tokbench's own cold figure (CPU time of the one encode call,
    # all arrays with offsets, fresh context); its process also runs the primed
    # and warm passes, so its process time is not one encode
    enc=$(build/tokbench -t "$f" "$W/mix.txt" --offsets --repeat 1 2>/dev/null | sed -n 's/.*"cold":\([0-9.]*\).*/\1/p')
    a0=$(run ./tok audit -t "$f" --json /dev/null "$W/one.txt")
    a1=$(run ./tok audit -t "$f" --json /dev/null "$W/mix.txt")
    # the speed-up: 1 and 2 threads alternately, the median of the pairs'
    # ratios (the load of a shared machine drifts; adjacent runs share it)
    : > "$W/pairs"
    i=0
    while [ $i -lt "${LANG_BENCH_PAIRS:-5}" ]; do
        x=$(run ./tok audit -t "$f" --json /dev/null "$W/mix.txt")
        y=$(run ./tok audit -t "$f" --threads 2 --json /dev/null "$W/mix.txt")
        echo "$x $y" | awk -v l="$(echo "$a0" | cut -d' ' -f2)" -v c="$(echo "$a0" | cut -d' ' -f1)" \
            '{ print ($2 - l) / ($4 - l), $4, ($3 - c) / ($1 - c) }' >> "$W/pairs"
        i=$((i + 1))
    done
    sp=$(sort -n "$W/pairs" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    cpu2=$(sort -n -k3 "$W/pairs" | awk '{ a[NR] = $3 } END { print a[int((NR + 1) / 2)] }')
    esp=$(build/tokbench -t "$f" "$W/mix.txt" --offsets --threads 2 --paired "${LANG_BENCH_PAIRS:-5}" 2>/dev/null | sed -n 's/.*"speedup_cold":\([0-9.]*\).*/\1/p')
    a2="0 $(sort -n -k2 "$W/pairs" | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')"
    echo "$t $enc $a0 $a1 $a2 $sp ${esp:-0} $cpu2" | awk -v b="$bytes" '{
        enc = $2; an = b / 1e6 / ($5 - $3);
        w1 = b / 1e6 / ($6 - $4); w2 = b / 1e6 / ($8 - $4);
        printf "| %s | %.1f | %.1f | %.0f%% | %.1f | %.1f | %.2fx | %.2fx | %.2f |\n", $1, enc, an, 100 * an / enc, w2, w1, $9, $10, $11 }'
done
echo
echo "| corpus (cl100k_base, streamed from stdin) | peak RSS MB | word types cached |"
echo "|---|---|---|"
for size in ${LANG_BENCH_BIG:-200 2000}; do
    n=$(( size * 1000000 / bytes + 1 ))
    /usr/bin/time -f "%M" -o "$W/rss" sh -c "i=0; while [ \$i -lt $n ]; do cat '$W/mix.txt'; i=\$((i+1)); done | ./tok audit -t cl100k_base --lang mix --json '$W/big.json' -" 2> /dev/null
    rss=$(awk '{printf "%.1f", $1/1024}' "$W/rss")
    echo "| $((n * bytes / 1000000)) MB | $rss | (same text repeated: no new types) |"
done
