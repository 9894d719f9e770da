#!/bin/sh
# make bench, training part: tok train side by side with HF tokenizers'
# BpeTrainer (Node binding, 1 and 2 threads) and spm_train, same corpus, same
# run; wall time, peak RSS and ratios, as a Markdown table (also saved to
# $TOK_CACHE/bench/train.md).  The corpus is real text, N MB of it: the
# reference cache's texts (english-10m, english, multilingual, code: about
# 13 MB; no single one reaches 100 MB), then the compressed documentation and
# manual pages under /usr/share (360 MB on a Debian machine with the build
# dependencies), concatenated in that order, invalid UTF-8 dropped.
#
#   BENCH_TRAIN_MB=100   corpus size for the comparison (default 100)
#   BENCH_QUICK=1        10 MB, and no linearity series
#   BENCH_SPM_BPE_LIMIT  seconds spm_train --model_type=bpe may run (1800);
#                        past it the row says "> LIMIT s" (its merge loop
#                        recounts every pair per merge: hours on 100 MB)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
NPM=$TOK_CACHE/npm/node_modules
OUT=$TOK_CACHE/bench
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-bench-train.XXXXXX")
trap 'rm -rf "$W"' EXIT
MB=${BENCH_TRAIN_MB:-100}
[ "${BENCH_QUICK:-0}" = 1 ] && MB=10
TOK=${TOK:-$ROOT/tok}
[ -x "$TOK" ] || { echo "bench/train.sh: build tok first (make)"; exit 1; }

# the corpus: valid UTF-8 text, cache texts first
{ for f in english-10m english multilingual code; do cat "$TOK_CACHE/texts/$f.txt" 2>/dev/null; done
  find /usr/share/doc /usr/share/man -name '*.gz' 2>/dev/null | sort | xargs zcat -f 2>/dev/null; } |
    head -c $((MB * 1048576 + 65536)) |
    python3 -c 'import sys; sys.stdout.write(sys.stdin.buffer.read().decode("utf-8", "ignore"))' |
    head -c $((MB * 1048576)) | python3 -c 'import sys; sys.stdout.write(sys.stdin.buffer.read().decode("utf-8", "ignore"))' > "$W/corpus.txt"
printf '\n' >> "$W/corpus.txt"
SZ=$(wc -c < "$W/corpus.txt")
[ "$SZ" -gt 1000000 ] || { echo "bench/train.sh: no documentation text under /usr/share"; exit 1; }

# run NAME cmd...: "seconds peak_kb cpu_seconds" of one run (wall time is
# what the ratios use; CPU time shows linearity on a busy machine)
run() {
    name=$1; shift
    /usr/bin/time -f "%e %M %U %S" -o "$W/time.$name" "$@" > "$W/log.$name" 2>&1 ||
        { echo "run $name failed: $(tail -3 "$W/log.$name")" >&2; tail -1 "$W/time.$name" | awk '{ printf "0 %s 0\n", $2 }'; return; }
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$W/time.$name"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0 && b > 0) printf "%.1f×", a/b; else print "-" }'; }

{
echo "### Training, $((SZ / 1048576)) MB of text (cache texts + /usr/share documentation; $(nproc) CPUs)"
echo
echo "| task | libtok | reference | time ratio (ref / libtok) | peak RSS libtok / ref |"
echo "|---|---|---|---|---|"
set -- $(run tok1 "$TOK" train --model bpe --vocab-size 50000 -o "$W/tok.json" "$W/corpus.txt"); T1=$1; M1=$2
set -- $(run tok2 "$TOK" train --model bpe --vocab-size 50000 --threads 2 -o "$W/tok2.json" "$W/corpus.txt"); T2=$1; M2=$2
# HF's binding trains with the default trainer (vocab 30000): same merges as
# libtok at 30000; the 50k comparison uses libtok at 30000 too for fairness
set -- $(run tok30 "$TOK" train --model bpe --vocab-size 30000 -o "$W/tok30.json" "$W/corpus.txt"); T30=$1; M30=$2
set -- $(RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false run hf1 node tests/train/hf_train.js "$NPM" bpe bytelevel "$W/hf1.json" "$W/corpus.txt"); H1=$1; HM1=$2
set -- $(RAYON_NUM_THREADS=2 run hf2 node tests/train/hf_train.js "$NPM" bpe bytelevel "$W/hf2.json" "$W/corpus.txt"); H2=$1; HM2=$2
same=$(node tests/train/cmp_model.js "$W/hf1.json" "$W/tok30.json" | tail -1)
echo "| BPE byte-level → 30k, 1 thread vs HF 1 thread | ${T30} s | ${H1} s | $(ratio "$H1" "$T30") | $((M30 / 1024)) / $((HM1 / 1024)) MB |"
echo "| BPE byte-level → 30k vs HF 2 threads (libtok --threads 2 counts) | ${T30} s | ${H2} s | $(ratio "$H2" "$T30") | $((M30 / 1024)) / $((HM2 / 1024)) MB |"
echo "| BPE byte-level → 50k, libtok 1 / 2 threads | ${T1} / ${T2} s | | | $((M1 / 1024)) / $((M2 / 1024)) MB |"
LIM=${BENCH_SPM_BPE_LIMIT:-1800}
set -- $(run spmb timeout "$LIM" spm_train --input="$W/corpus.txt" --model_prefix="$W/spmb" --vocab_size=50000 --model_type=bpe \
    --num_threads=1 --minloglevel=2 --train_extremely_large_corpus=false); S1=$1; SM1=$2
if [ "$S1" = 0 ]; then S1=$LIM; SS="> $LIM s (stopped)"; SR="> $(ratio "$S1" "$T1")"; else SS="$S1 s"; SR=$(ratio "$S1" "$T1"); fi
echo "| BPE → 50k vs spm_train --model_type=bpe (1 thread) | ${T1} s | ${SS} | ${SR} | $((M1 / 1024)) / $((${SM1:-0} / 1024)) MB |"
set -- $(run toku "$TOK" train --model unigram --vocab-size 32000 -o "$W/u.model" "$W/corpus.txt"); U1=$1; UM1=$2
set -- $(run toku2 "$TOK" train --model unigram --vocab-size 32000 --threads 2 -o "$W/u2.model" "$W/corpus.txt"); U2=$1; UM2=$2
set -- $(run spmu spm_train --input="$W/corpus.txt" --model_prefix="$W/spmu" --vocab_size=32000 --model_type=unigram \
    --num_threads=1 --minloglevel=2 --character_coverage=1.0 --normalization_rule_name=identity \
    --remove_extra_whitespaces=false --max_sentence_length=100000); SU1=$1; SUM1=$2
echo "| Unigram → 32k vs spm_train --model_type=unigram (1 thread) | ${U1} s | ${SU1} s | $(ratio "$SU1" "$U1") | $((UM1 / 1024)) / $((${SUM1:-0} / 1024)) MB |"
echo "| Unigram → 32k, libtok --threads 2 | ${U2} s | | | $((UM2 / 1024)) MB |"
# the two Unigram models side by side on the corpus' first 2 MB, through spm_encode
head -c 2097152 "$W/corpus.txt" | python3 -c 'import sys; sys.stdout.write(sys.stdin.buffer.read().decode("utf-8", "ignore"))' |
    tr '\t' ' ' > "$W/slice.txt"
umeasure() { # MODEL -> "tokens loglik"
    spm_export_vocab --model="$1" > "$W/vocab.tsv" 2>/dev/null
    spm_encode --model="$1" --output_format=id < "$W/slice.txt" 2>/dev/null |
        awk 'NR==FNR{s[NR-1]=$NF;next}{for(i=1;i<=NF;i++){n++;ll+=s[$i]}}END{printf "%d %.0f\n", n, ll}' "$W/vocab.tsv" -
}
if [ -s "$W/u.model" ] && [ -s "$W/spmu.model" ]; then
    spm_export_vocab --model="$W/u.model" 2>/dev/null | cut -f1 | sort > "$W/vo"
    spm_export_vocab --model="$W/spmu.model" 2>/dev/null | cut -f1 | sort > "$W/vs"
    set -- $(umeasure "$W/u.model") $(umeasure "$W/spmu.model")
    echo
    echo "Unigram models on the corpus' first 2 MB (spm_encode): vocabulary overlap $(comm -12 "$W/vo" "$W/vs" | wc -l) / $(wc -l < "$W/vs");" \
        "tokens libtok $1 vs spm_train $3; log-likelihood $2 vs $4"
fi
echo
echo "HF merges vs libtok at 30k on this corpus: $same"
if [ "${BENCH_QUICK:-0}" != 1 ] && [ "$MB" -ge 100 ]; then
    echo
    echo "Linearity (libtok BPE → 50k, 1 thread): "
    for part in 25 50 100; do
        head -c $((part * 1048576)) "$W/corpus.txt" > "$W/part.txt"
        set -- $(run lin "$TOK" train --model bpe --vocab-size 50000 -o "$W/lin.json" "$W/part.txt")
        printf ' %s MB %s s wall, %s s CPU (%s MB RSS);' "$part" "$1" "$3" "$(( $2 / 1024 ))"
    done
    echo
    echo
    echo "Linearity (libtok Unigram → 32k, 1 thread): "
    for part in 25 50 100; do
        head -c $((part * 1048576)) "$W/corpus.txt" > "$W/part.txt"
        set -- $(run linu "$TOK" train --model unigram --vocab-size 32000 -o "$W/linu.model" "$W/part.txt")
        printf ' %s MB %s s wall, %s s CPU (%s MB RSS);' "$part" "$1" "$3" "$(( $2 / 1024 ))"
    done
    echo
fi
} | tee "$OUT/train.md"
