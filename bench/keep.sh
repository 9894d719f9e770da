#!/bin/sh
# make bench, keep-mask engine: decode steps per second at a 128k-position
# context for each shipped KV policy, libtok (bench/keep_bench.c) beside the
# vectorised numpy reference (bench/keep_ref.py) in the same run, and bytes
# of engine state per position.  KEEP_POSITIONS / KEEP_STEPS override.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=${KEEP_POSITIONS:-131072}
S=${KEEP_STEPS:-300}
PS=${KEEP_REF_STEPS:-60}
pols="streamingllm sepllm h2o a2sf zipcache saliency"
files=""; for p in $pols; do files="$files data/policies/$p.policy"; done
c=$(build/keep_bench --positions "$N" --steps "$S" $files) || exit 1
r=$(/usr/bin/python3 bench/keep_ref.py "$N" "$PS" $files) || exit 1
echo "| policy | libtok steps/s | numpy steps/s | ratio | libtok bytes/position | numpy bytes/position |"
echo "|---|---|---|---|---|---|"
for p in $pols; do
    lc=$(echo "$c" | grep "\"policy\":\"$p\"")
    lr=$(echo "$r" | grep "\"policy\": \"$p\"")
    a=$(echo "$lc" | sed -n 's/.*"steps_per_s":\([0-9.]*\).*/\1/p')
    b=$(echo "$lr" | sed -n 's/.*"steps_per_s": \([0-9.]*\).*/\1/p')
    m=$(echo "$lc" | sed -n 's/.*"bytes_per_position":\([0-9]*\).*/\1/p')
    mr=$(echo "$lr" | sed -n 's/.*"bytes_per_position": \([0-9]*\).*/\1/p')
    ra=$(awk -v a="$a" -v b="$b" 'BEGIN{ if (b>0) printf "%.1f×", a/b; else print "-" }')
    echo "| $p | $a | $b | $ra | $m | $mr |"
done
echo
echo "($N live positions, one group; each step appends one position, adds one attention row and evicts one.)"
