#!/bin/sh
# make bench: libtok side by side with the references, in the same run, on the
# same texts, ids compared.  Three timings of the whole encode call (MB/s of
# process CPU time for one thread, wall clock for two):
#   cold    first encode after load, fresh context: every pre-token is new;
#   primed  a fresh context has encoded the first half; the unseen second half;
#   warm    the same text again (the pre-token cache answers nearly everything).
# Beside quicktok (when QUICKTOK=DIR names a checkout of github dmatth1/quicktok:
# built here into $TOK_CACHE/quicktok, never vendored), the HF tokenizers binding
# and tiktoken.  Then 2 threads, inputs without split points, load times and
# peak RSS.  Markdown on stdout, also saved to $TOK_CACHE/bench/latest.md.
#
#   QUICKTOK=DIR    quicktok checkout to build and run beside libtok
#   BENCH_QUICK=1   skip the slow references (HF binding), for a fast look
#   BENCH_BPE=1     byte-level BPE only (the tokenizers quicktok also runs)
#   BENCH_PAIRS=K   1-thread/2-thread pairs behind each 2-thread speed-up (5)
#   BENCH_ROUNDS=K  single-thread rows: libtok and quicktok run alternately K
#                   times (2), each figure the best of them
#   BENCH_OUT=DIR   where latest.md goes (default $TOK_CACHE/bench)
#   BENCH_FAMILIES=1  the other families only: WordPiece and SentencePiece-style
#                   tokenizers beside the HF binding and spm_encode
#   BENCH_LOAD=1    the load table only (libtok from each file, its .tokpack
#                   and zstd .tokpack; quicktok, tiktoken and the HF binding
#                   loading the same tokenizer), in a minute
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
export TOK_CACHE RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
TK=$TOK_CACHE/tokenizers
TX=$TOK_CACHE/texts
OUT=${BENCH_OUT:-$TOK_CACHE/bench}
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

BIN=build/tokbench
make -s "$BIN" >/dev/null || exit 1

# --- quicktok, built from the given checkout into the cache -----------------
QT=
QTDATA=
if [ -n "${QUICKTOK:-}" ]; then
    QB=$TOK_CACHE/quicktok
    if [ -f "$QUICKTOK/include/quicktok.h" ] && mkdir -p "$QB/build" &&
       make -s -C "$QUICKTOK" BUILD="$QB/build" "$QB/build/libquicktok.a" >"$W/qt.log" 2>&1 &&
       ${CC:-cc} -O2 -std=c11 -I"$QUICKTOK/include" bench/qtbench.c "$QB/build/libquicktok.a" \
           -lstdc++ -lm -pthread -o "$QB/qtbench" 2>>"$W/qt.log"; then
        QT=$QB/qtbench
        QTDATA=$QUICKTOK/data
    else
        echo "quicktok: build from $QUICKTOK failed:" >&2
        tail -n 5 "$W/qt.log" >&2
    fi
fi

# --- texts ------------------------------------------------------------------
cp "$TX/english.txt" "$W/english.txt"
cp "$TX/multilingual.txt" "$W/multilingual.txt"
cp "$TX/code.txt" "$W/code.txt"
cp "$TX/english-10m.txt" "$W/english-10m.txt"
# no split points at all
node -e '
const fs=require("fs"), d=process.argv[1], M=1<<20;
fs.writeFileSync(d+"/one-letter.txt","a".repeat(M));
fs.writeFileSync(d+"/one-letter-4m.txt","a".repeat(4*M));
fs.writeFileSync(d+"/one-cjk.txt","中".repeat(M/3));
fs.writeFileSync(d+"/digits.txt","7".repeat(M));
let s="", x=12345; for(let i=0;i<M;i++){x^=x<<13; x^=x>>>17; x^=x<<5; s+=String.fromCharCode(97+(x>>>0)%26);}
fs.writeFileSync(d+"/random-letters.txt",s);' "$W"

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a>0 && b>0) printf "%.2f×", a/b; else print "-" }'; }
same() { if cmp -s "$1" "$2"; then echo yes; else echo NO; fi; }

# quicktok's name for a tokenizer file, or nothing
qtname() {
    case $1 in
        o200k*) echo o200k_base ;; cl100k*) echo cl100k_base ;; llama3*) echo llama3 ;; *) ;;
    esac
}

# The best of a field over runs (the machine's noise only ever slows a run).
best() { awk -v a="$1" -v b="$2" 'BEGIN{ print (a + 0 > b + 0) ? a : b }'; }

# libtok vs quicktok vs one reference: cold, primed, warm.  Fields kept in
# $W/rows for the load/RSS table.
# libtok and quicktok alternately, BENCH_ROUNDS times (each run the best of
# its own 3): a slow spell of a shared machine then hits both sides.  Sets
# each side's best cold / primed / warm (lc lp lw, qc qp qw) and q, quicktok's
# last output (empty: not run); ids in $W/lt.ids and $W/qt.ids.  Fails when
# libtok does (its message in $W/err).
alternate() { # FILE TEXT
    qn=$(qtname "$1")
    lc=0 lp=0 lw=0 qc=0 qp=0 qw=0 q=
    r=0
    while [ $r -lt "${BENCH_ROUNDS:-2}" ]; do
        l=$($BIN -t "$TK/$1" "$W/$2.txt" --ids "$W/lt.ids" 2>"$W/err") || return 1
        lc=$(best "$lc" "$(echo "$l" | field cold)"); lp=$(best "$lp" "$(echo "$l" | field primed)")
        lw=$(best "$lw" "$(echo "$l" | field warm)")
        if [ -n "$QT" ] && [ -n "$qn" ]; then
            q1=$($QT "$QTDATA" "$qn" "$W/$2.txt" --ids "$W/qt.ids" 2>/dev/null)
            if [ -n "$q1" ]; then
                q=$q1
                qc=$(best "$qc" "$(echo "$q1" | field cold)"); qp=$(best "$qp" "$(echo "$q1" | field primed)")
                qw=$(best "$qw" "$(echo "$q1" | field warm)")
            fi
        fi
        r=$((r + 1))
    done
}

# libtok vs quicktok vs one reference: cold, primed, warm.  Fields kept in
# $W/rows for the load/RSS table.
row() { # NAME FILE TEXT REFKIND REFARG
    name=$1 tk=$2 text=$3 ref=$4 refarg=$5
    alternate "$tk" "$text" || { echo "| $name | $text | libtok failed: $(head -c 200 "$W/err") |"; return; }
    qcol="- | - | - | -"
    if [ -n "$q" ]; then
        qcol="$qc / $qp / $qw | **$(ratio "$lc" "$qc")** | **$(ratio "$lp" "$qp")** | $(ratio "$lw" "$qw")"
        qsame=$(same "$W/lt.ids" "$W/qt.ids")
        echo "$name|$(echo "$q" | field load_ms)" >>"$W/qtload"
    fi
    rcol="- | - | - | -"
    rsame=-
    if [ "$ref" != none ] && { [ "${BENCH_QUICK:-0}" != 1 ] || [ "$ref" != hf ]; }; then
        r=$(node bench/ref_bench.js "$ref" "$refarg" "$W/$text.txt" "$W/ref.ids" 2>"$W/rerr")
        if [ -n "$r" ]; then
            rc=$(echo "$r" | field cold); rp=$(echo "$r" | field primed); rw=$(echo "$r" | field warm)
            rcol="$ref $rc / $rp / $rw | $(ratio "$lc" "$rc") | $(ratio "$lp" "$rp") | $(ratio "$lw" "$rw")"
            rsame=$(same "$W/lt.ids" "$W/ref.ids")
            echo "$name|$ref|$(echo "$r" | field load_ms)" >>"$W/refload"
        else
            rcol="$ref failed: $(head -c 100 "$W/rerr") | | |"
        fi
    fi
    echo "$name|$(echo "$l" | field load_ms)" >>"$W/ltload"
    echo "| $name | $text | $lc / $lp / $lw | $qcol | $rcol | ${qsame:--} / $rsame |"
    qsame=
}

# 2 threads: libtok (tok_encode_ids_threads) vs quicktok (cut by the same rule, a part a thread, one handle).
# libtok's speed-up is the median of BENCH_PAIRS ratios of back-to-back runs
# on 1 and 2 threads in one process (tokbench --paired): on a shared machine
# the load drifts, and adjacent runs see the same load.
row2() { # NAME FILE TEXT
    name=$1 tk=$2 text=$3
    l1=$($BIN -t "$TK/$tk" "$W/$text.txt" --repeat 1 --ids "$W/lt.ids" 2>/dev/null) || return
    l2=$($BIN -t "$TK/$tk" "$W/$text.txt" --repeat 1 --threads 2 --ids "$W/lt2.ids" 2>/dev/null) || return
    lp=$($BIN -t "$TK/$tk" "$W/$text.txt" --threads 2 --paired "${BENCH_PAIRS:-5}" 2>/dev/null) || return
    c2=$(echo "$lp" | field cold); p2=$(echo "$lp" | field primed); w2=$(echo "$lp" | field warm)
    qcol="- | -"
    qn=$(qtname "$tk")
    if [ -n "$QT" ] && [ -n "$qn" ]; then
        q=$($QT "$QTDATA" "$qn" "$W/$text.txt" --threads 2 2>/dev/null)
        [ -n "$q" ] && qcol="$(echo "$q" | field cold) / $(echo "$q" | field primed) / $(echo "$q" | field warm) | $(ratio "$c2" "$(echo "$q" | field cold)")"
    fi
    echo "| $name | $text | $c2 / $p2 / $w2 | $(echo "$lp" | field speedup_cold)× / $(echo "$lp" | field speedup_primed)× / $(echo "$lp" | field speedup_warm)× | $qcol | $(same "$W/lt.ids" "$W/lt2.ids") |"
}

# no split points: cold MB/s and the time per byte against English's, libtok
# and quicktok alternated as in the main rows (one run swings by a fifth on a
# shared machine).  The 4 MiB text also
# gives its time against the 1 MiB one's (linear: 4.00).
rowp() { # NAME FILE TEXT ENGLISH_COLD [ONE_MIB_COLD]
    name=$1 tk=$2 text=$3 eng=$4 one=${5:-}
    alternate "$tk" "$text" || { echo "| $name | $text | libtok failed: $(head -c 200 "$W/err") |"; return; }
    qcol="- | -"
    [ -n "$q" ] && qcol="$qc | $(ratio "$lc" "$qc") ($(same "$W/lt.ids" "$W/qt.ids"))"
    scale=-
    [ -n "$one" ] && scale=$(awk -v a="$one" -v b="$lc" 'BEGIN{ if (a>0 && b>0) printf "%.2f×", 4*a/b; else print "-" }')
    echo "| $name | $text | $lc | $(ratio "$eng" "$lc") | $scale | $qcol |"
    echo "$name|$text|$lc" >>"$W/patho"
}

# --- the SentencePiece families beside spm_encode ---------------------------
# spm_encode works line by line, so libtok is timed the same way here
# (tokbench --lines: each line its own text, CPU time of the loop of encode calls, timed as a whole);
# spm_encode's MB/s is its process CPU time on the text less that on an empty
# input (its load).  The HF binding runs on the tokenizer.json tok convert
# writes, whole text against libtok's whole-text figures (the .model keeps
# SentencePiece's tie rule, the binding has its own: ids may differ there).
spm_mbs() { # MODEL TEXTFILE IDS_OUT
    /usr/bin/time -f "%U %S" -o "$W/t1" spm_encode --model="$1" --output_format=id --minloglevel=2 <"$2" >"$3" 2>/dev/null &&
    /usr/bin/time -f "%U %S" -o "$W/t0" spm_encode --model="$1" --output_format=id --minloglevel=2 </dev/null >/dev/null 2>/dev/null &&
    awk -v b="$(wc -c <"$2")" -v a="$(cat "$W/t1")" -v z="$(cat "$W/t0")" 'BEGIN{ split(a,x," "); split(z,y," "); t=x[1]+x[2]-y[1]-y[2]; if (t>0) printf "%.2f", b/t/1e6; else print "-" }'
}
spm_section() {
    command -v spm_encode >/dev/null 2>&1 || { echo; echo "spm_encode: not installed (scripts/deps.sh), SentencePiece rows skipped."; return; }
    echo
    echo "SentencePiece files, per line as spm_encode works (libtok cold / primed / warm, MB/s of the CPU time of the loop over the lines), and whole text beside the HF binding on the converted tokenizer.json:"
    echo
    echo "| tokenizer | text | libtok per line cold / primed / warm | spm_encode | ×spm_encode cold | ids = spm | libtok whole cold / primed / warm | HF cold / primed / warm | ×HF cold | ×HF primed | ids = HF |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for m in albert.model smart.model llama2.model; do
        [ -f "$TK/$m" ] || continue
        ./tok convert -t "$TK/$m" -o "$W/$m.json" 2>/dev/null || rm -f "$W/$m.json"
        for text in english multilingual code; do
            l=$($BIN -t "$TK/$m" "$W/$text.txt" --lines --ids "$W/lt.ids" 2>"$W/err") ||
                { echo "| $m | $text | libtok failed: $(head -c 200 "$W/err") |"; continue; }
            sm=$(spm_mbs "$TK/$m" "$W/$text.txt" "$W/spm.ids")
            lc=$(echo "$l" | field cold)
            wl=$($BIN -t "$TK/$m" "$W/$text.txt" --ids "$W/ltw.ids" 2>/dev/null)
            wc_=$(echo "$wl" | field cold); wp=$(echo "$wl" | field primed)
            hcol="- | - | - | -"
            if [ -f "$W/$m.json" ] && [ "${BENCH_QUICK:-0}" != 1 ]; then
                r=$(node bench/ref_bench.js hf "$W/$m.json" "$W/$text.txt" "$W/ref.ids" 2>/dev/null)
                [ -n "$r" ] && hcol="$(echo "$r" | field cold) / $(echo "$r" | field primed) / $(echo "$r" | field warm) | $(ratio "$wc_" "$(echo "$r" | field cold)") | $(ratio "$wp" "$(echo "$r" | field primed)") | $(same "$W/ltw.ids" "$W/ref.ids")"
            fi
            echo "| $m | $text | $lc / $(echo "$l" | field primed) / $(echo "$l" | field warm) | $sm | **$(ratio "$lc" "$sm")** | $(same "$W/lt.ids" "$W/spm.ids") | $wc_ / $wp / $(echo "$wl" | field warm) | $hcol |"
        done
    done
}

MAIN="o200k_base.tiktoken:tiktoken:o200k_base cl100k_base.tiktoken:tiktoken:cl100k_base llama3.json:hf:$TK/llama3.json o200k.json:hf:$TK/o200k.json"
OTHER="mistral.json gemma3.json bert-base-uncased.json"
[ "${BENCH_BPE:-0}" = 1 ] && OTHER=
[ "${BENCH_FAMILIES:-0}" = 1 ] && MAIN=
lload() { $BIN -t "$1" --load-only --repeat 5 2>/dev/null | sed -n 's/.*"load_ms":\([0-9.]*\),"load_wall_ms":\([0-9.]*\).*/\1 \/ \2/p'; }
if [ "${BENCH_LOAD:-0}" = 1 ]; then
    head -c 2000 "$TX/english.txt" >"$W/small.txt"
    {
    echo "libtok load bench, $(date -u +%Y-%m-%d), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "CPU / wall ms; libtok best of 5 loads; quicktok and the references: process CPU time of their load, best of 3 runs."
    echo
    echo "| tokenizer | libtok (file) | libtok .tokpack | libtok .tokpack zstd | quicktok | tiktoken | HF binding |"
    echo "|---|---|---|---|---|---|---|"
    best3() { for i in 1 2 3; do "$@" 2>/dev/null | field load_ms; done | sort -n | head -n 1; }
    for e in $MAIN; do
        f=${e%%:*}
        ./tok convert -t "$TK/$f" -o "$W/$f.tokpack" 2>/dev/null && ./tok convert -t "$TK/$f" -o "$W/$f.z.tokpack" --zstd 2>/dev/null
        qn=$(qtname "$f") q=- t=- h=-
        [ -n "$QT" ] && [ -n "$qn" ] && q=$(best3 "$QT" "$QTDATA" "$qn" "$W/small.txt" --repeat 1)
        case $f in *.tiktoken) t=$(best3 node bench/ref_bench.js tiktoken "${f%.tiktoken}" "$W/small.txt" "$W/ref.ids") ;;
                   *.json) h=$(best3 node bench/ref_bench.js hf "$TK/$f" "$W/small.txt" "$W/ref.ids") ;; esac
        echo "| $f | $(lload "$TK/$f") | $(lload "$W/$f.tokpack") | $(lload "$W/$f.z.tokpack") | ${q:--} | ${t:--} | ${h:--} |"
    done
    } | tee "$OUT/load.md"
    exit 0
fi
{
echo "libtok bench, $(date -u +%Y-%m-%d), $(nproc) cores: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
[ -n "$QT" ] || echo "quicktok: skipped (give QUICKTOK=DIR, a checkout of github dmatth1/quicktok, to run it beside libtok)."
echo
echo "Single thread, MB/s as cold / primed / warm; ratios are libtok ÷ the other (above 1: libtok faster); ids: identical to quicktok / to the reference."
echo "libtok timed path: $($BIN -t "$TK/o200k_base.tiktoken" "$TX/hardcases.txt" --repeat 1 | sed -n 's/.*"path":"\([a-z_]*\)".*/\1/p') (ids only, into a buffer reserved once from the text length; on 2 threads tok_encode_ids_threads, ids only too, each chunk written in place)."
echo
echo "| tokenizer | text | libtok cold / primed / warm | quicktok cold / primed / warm | ×quicktok cold | ×quicktok primed | ×quicktok warm | reference cold / primed / warm | ×ref cold | ×ref primed | ×ref warm | ids |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for text in english multilingual code; do
    for spec in $MAIN; do
        IFS=: read -r f kind arg <<EOS
$spec
EOS
        row "$f" "$f" $text "$kind" "$arg"
    done
    for f in $OTHER; do row "$f" "$f" $text hf "$TK/$f"; done
done
[ "${BENCH_BPE:-0}" = 1 ] || spm_section
if [ "${BENCH_FAMILIES:-0}" != 1 ]; then
echo
echo "2 threads, wall clock (one large text; libtok cuts after a newline before a letter into chunks that shrink as the text runs out, handed out in order; quicktok's text is cut by the same rule into one part per thread); libtok's speed-up over 1 thread is the median of ${BENCH_PAIRS:-5} back-to-back 1-thread/2-thread pairs in one process:"
echo
echo "| tokenizer | text | libtok 2 threads cold / primed / warm | speed-up over 1 thread cold / primed / warm | quicktok 2 threads cold / primed / warm | ×quicktok cold | ids = 1 thread |"
echo "|---|---|---|---|---|---|---|"
for text in english-10m multilingual; do
    for f in o200k_base.tiktoken cl100k_base.tiktoken llama3.json; do row2 "$f" "$f" $text; done
done
echo
echo "Inputs without split points (1 MiB unless named 4m; cold, the best of ${BENCH_ROUNDS:-2} alternated rounds of 3 runs): the time per byte against English cold, the 4 MiB text's time against the 1 MiB one's (linear: 4.00×), and quicktok."
echo
echo "| tokenizer | text | libtok cold MB/s | time per byte ÷ English's | time ÷ 1 MiB's | quicktok cold MB/s | ×quicktok (ids) |"
echo "|---|---|---|---|---|---|---|"
for f in o200k_base.tiktoken cl100k_base.tiktoken llama3.json; do
    eng=0
    for r in 1 2; do eng=$(best "$eng" "$($BIN -t "$TK/$f" "$W/english.txt" | field cold)"); done
    one=
    for text in one-letter one-letter-4m one-cjk random-letters digits; do
        rowp "$f" "$f" $text "$eng" "$([ $text = one-letter-4m ] && echo "$one")"
        [ $text = one-letter ] && one=$(tail -n 1 "$W/patho" | cut -d'|' -f3)
    done
done
echo
echo "Load (ms) and memory:"
echo
echo "libtok: CPU / wall ms, best of 5 loads, from the file itself and from it converted to .tokpack (tok convert: mapped and used in place; --zstd: decompressed into memory)."
echo
echo "| tokenizer | libtok load (file) | libtok .tokpack | libtok .tokpack zstd | quicktok load | reference load (with its first use) |"
echo "|---|---|---|---|---|---|"
for f in $(cut -d'|' -f1 "$W/ltload" | sort -u); do
    ./tok convert -t "$TK/$f" -o "$W/$f.tokpack" 2>/dev/null && ./tok convert -t "$TK/$f" -o "$W/$f.z.tokpack" --zstd 2>/dev/null
    echo "| $f | $(lload "$TK/$f") | $(lload "$W/$f.tokpack") | $(lload "$W/$f.z.tokpack") | $(grep "^$f|" "$W/qtload" 2>/dev/null | head -n 1 | cut -d'|' -f2) | $(grep "^$f|" "$W/refload" 2>/dev/null | head -n 1 | cut -d'|' -f2-3 | tr '|' ' ') |"
done
pk=$($BIN -t "$TK/o200k_base.tiktoken" "$W/english-10m.txt" --repeat 1 | field peak_rss_mb)
qk=-
[ -n "$QT" ] && qk=$($QT "$QTDATA" o200k_base "$W/english-10m.txt" --repeat 1 | field peak_rss_mb)
echo
[ -f "$W/o200k_base.tiktoken.tokpack" ] || ./tok convert -t "$TK/o200k_base.tiktoken" -o "$W/o200k_base.tiktoken.tokpack" 2>/dev/null
pp=$($BIN -t "$W/o200k_base.tiktoken.tokpack" "$W/english-10m.txt" --repeat 1 | field peak_rss_mb)
echo "Peak RSS, 10 MB English, o200k_base, ids only (text included): libtok $pk MB ($(ratio "$pk" "$qk") quicktok), from its .tokpack $pp MB ($(ratio "$pp" "$qk")); quicktok $qk MB."
fi
} | tee "$OUT/latest.md"
[ "${BENCH_FAMILIES:-0}" = 1 ] && exit 0

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
