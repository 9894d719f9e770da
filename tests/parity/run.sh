#!/bin/sh
# Reference parity: run every case of tests/parity/cases through its reference
# implementation and through `tok encode`, and compare ids and byte offsets.
#
#   sh tests/parity/run.sh
#
# Environment:
#   TOK               tok binary (default: ./tok at the repository root)
#   TOK_CACHE         cache of references, tokenizers and texts (default ~/.cache/libtok)
#   PARITY_CASES      space/comma-separated globs selecting cases by name (default: all)
#   PARITY_NO_FETCH=1 do not run scripts/fetch-refs.sh first
#   PARITY_KEEP=1     keep the work directory (tok outputs) and print its path
#   PARITY_TIMEOUT    seconds allowed for one tok or reference run (default 300)
#
# Reference outputs are cached in $TOK_CACHE/refout/, keyed by a hash of the
# tokenizer file, the texts, the mode and the reference's version and code.
# Prints one "ok NAME: ..." or "FAIL NAME: ..." line per case (with the first
# difference under a failure), then "N passed, M failed"; exits 1 on any failure.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/parity
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
export TOK_CACHE
TOK=${TOK:-$ROOT/tok}
case $TOK in /*) ;; */*) TOK=$(pwd)/$TOK ;; esac
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
TK=$TOK_CACHE/tokenizers
TX=$TOK_CACHE/texts
REFOUT=$TOK_CACHE/refout
TIMEOUT=${PARITY_TIMEOUT:-300}
CASES_FILE=${PARITY_CASES_FILE:-$HERE/cases}
NL='
'

if [ "${PARITY_NO_FETCH:-0}" != 1 ]; then
    if ! FETCH_QUIET=1 sh "$ROOT/scripts/fetch-refs.sh"; then
        echo "parity: scripts/fetch-refs.sh failed"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/libtok-parity.XXXXXX") || exit 1
if [ "${PARITY_KEEP:-0}" = 1 ]; then
    trap 'echo "parity: outputs kept in $WORK"' EXIT
else
    trap 'rm -rf "$WORK"' EXIT
fi
trap 'exit 130' INT TERM
mkdir -p "$REFOUT"

sha16() { sha256sum | cut -c1-16; }

# Content hash of a file, memoised per run (gemma3.json alone is 33 MB).
file_hash() {
    memo=$WORK/hash.$(printf '%s' "$1" | sha16)
    [ -f "$memo" ] || sha16 < "$1" > "$memo"
    cat "$memo"
}

# Version of a reference: its package pins plus the code that runs it.
ref_version() {
    case $1 in
        hf)       v=$(cat "$TOK_CACHE/npm/node_modules/tokenizers/package.json" "$HERE/ref_hf.js" "$HERE/reflib.js" | sha16) ;;
        hf-full)  v=$(cat "$TOK_CACHE/npm/node_modules/tokenizers/package.json" "$HERE/ref_hf_full.js" "$HERE/reflib.js" | sha16) ;;
        tiktoken) v=$(cat "$TOK_CACHE/npm/node_modules/tiktoken/package.json" "$HERE/ref_tiktoken.js" "$HERE/reflib.js" | sha16) ;;
        spm)      v=$( (spm_encode --version 2>&1; cat "$HERE/ref_spm.sh") | sha16) ;;
        *)        v=none ;;
    esac
    echo "$v"
}

# Text files of a TEXT name, one per line.
text_files() {
    case $1 in
        english-chunks) for f in "$TX"/parity/english-chunk*.txt; do [ -f "$f" ] && echo "$f"; done ;;
        hardcases)      echo "$TX/hardcases.txt" ;;
        tests/texts/*)  echo "$ROOT/$1" ;;
        *)              echo "$TX/parity/$1.txt" ;;
    esac
}

# Does NAME match PARITY_CASES?
selected() {
    [ -z "${PARITY_CASES:-}" ] && return 0
    for pat in $(echo "$PARITY_CASES" | tr ',' ' '); do
        # shellcheck disable=SC2254
        case $1 in $pat) return 0 ;; esac
    done
    return 1
}

PASS=0
FAILN=0
fail_case() {
    echo "FAIL $1: $2"
    [ $# -gt 2 ] && [ -s "$3" ] && head -n "${4:-8}" "$3" | sed 's/^/    /'
    FAILN=$((FAILN + 1))
}

# run_tok OUT ERR IN ARGS...: run tok with standard input IN (or /dev/null).
run_tok() {
    out=$1 err=$2 in=$3
    shift 3
    timeout "$TIMEOUT" "$TOK" "$@" < "$in" > "$out" 2> "$err"
    rc=$?
    [ $rc -eq 0 ] && return 0
    [ $rc -eq 124 ] && echo "(timed out after ${TIMEOUT}s)" >> "$err"
    redir=
    [ "$in" = /dev/null ] || redir=" < $in"
    (IFS=' '; echo "tok $*$redir: exit status $rc") >> "$err"
    return 1
}

run_case() {
    name=$1 ref=$2 tkfile=$3 text=$4 mode=$5 opts=$6
    tkpath=$TK/$tkfile
    dir=$WORK/$name
    mkdir -p "$dir"
    refpath=$tkpath
    case $tkfile in
        conv:*)
            # the reference reads the tokenizer.json `tok convert` wrote; tok reads the original
            tkpath=$TK/${tkfile#conv:}
            refpath=$WORK/$name.converted.json
            [ -f "$tkpath" ] || { fail_case "$name" "no tokenizer file $tkpath (scripts/fetch-refs.sh)"; return; }
            if ! "$TOK" convert -t "$tkpath" -o "$refpath" 2> "$dir/conv.err"; then
                fail_case "$name" "tok convert failed" "$dir/conv.err"; return
            fi
            ;;
    esac
    lines_flag=
    [ "$mode" = lines ] && lines_flag=--lines
    if [ "$mode" != lines ] && [ "$mode" != whole ]; then
        fail_case "$name" "bad mode '$mode' in $CASES_FILE"; return
    fi
    nospecial=
    tokargs=
    cmp_flags=
    refargs=
    for o in $(echo "$opts" | tr ',' ' '); do
        case $o in
            no-special) nospecial=--no-special ;;
            ids-only)   cmp_flags="$cmp_flags${NL}--ids-only" ;;
            char-offsets) cmp_flags="$cmp_flags${NL}--char-offsets" ;;
            threads2)   tokargs="$tokargs${NL}--threads${NL}2" ;;
            regex-only) tokargs="$tokargs${NL}--regex-only" ;;
            ties-hf)    tokargs="$tokargs${NL}--ties${NL}hf" ;;
            # a text may part where two Unigram segmentations score the same
            # (scores of the tokenizer.json the reference read): compare.js checks it
            equal-ties) cmp_flags="$cmp_flags${NL}--equal-ties=$refpath" ;;
            pairs)      tokargs="$tokargs${NL}--pairs"; refargs="$refargs${NL}--pairs" ;;
            cli:--*)    tokargs="$tokargs${NL}${o#cli:}"; refargs="$refargs${NL}${o#cli:}" ;;
            -) ;;
            *) fail_case "$name" "unknown option '$o' in $CASES_FILE"; return ;;
        esac
    done
    [ -f "$tkpath" ] || { fail_case "$name" "no tokenizer file $tkpath (scripts/fetch-refs.sh)"; return; }
    files=$(text_files "$text")
    [ -n "$files" ] || { fail_case "$name" "no text files for '$text'"; return; }
    IFS=$NL
    for f in $files; do
        [ -f "$f" ] || { unset IFS; fail_case "$name" "no text file $f (scripts/fetch-refs.sh)"; return; }
    done
    unset IFS

    # Reference output (cached).
    if [ "$ref" != decode ]; then
        key=$( (echo "$ref $mode $nospecial $refargs $(ref_version "$ref") $(file_hash "$refpath")"
                IFS=$NL; for f in $files; do sha16 < "$f"; done) | sha16)
        refbase=$REFOUT/$ref.$(echo "$tkfile" | tr ':/' '__').$(echo "$text" | tr / _).$mode.${nospecial:+no}special$(printf '%s' "$refargs" | tr -c 'A-Za-z0-9=.-' '_')
        refout=$refbase.$key.jsonl
        if [ ! -f "$refout" ]; then
            IFS=$NL
            # shellcheck disable=SC2086
            case $ref in
                hf)       timeout "$TIMEOUT" node "$HERE/ref_hf.js" "$refpath" $files $lines_flag $nospecial ;;
                hf-full)  timeout "$TIMEOUT" node "$HERE/ref_hf_full.js" "$refpath" $files $lines_flag $nospecial $refargs ;;
                tiktoken) timeout "$TIMEOUT" node "$HERE/ref_tiktoken.js" "$tkpath" $files $lines_flag ;;
                spm)      if [ "$mode" != lines ]; then echo "spm_encode works per line only: use mode lines" >&2; false
                          else timeout "$TIMEOUT" sh "$HERE/ref_spm.sh" "$tkpath" $files; fi ;;
                *)        echo "unknown reference '$ref'" >&2; false ;;
            esac > "$refout.tmp.$$.${k:-0}" 2> "$dir/ref.err"
            rc=$?
            unset IFS
            if [ $rc -ne 0 ]; then
                rm -f "$refout.tmp.$$.${k:-0}"
                fail_case "$name" "reference $ref failed (exit status $rc)" "$dir/ref.err"
                return
            fi
            rm -f "$refbase".*.jsonl   # outputs for older tokenizer/text/reference versions
            mv "$refout.tmp.$$.${k:-0}" "$refout"
        fi
    fi

    if [ ! -x "$TOK" ]; then
        fail_case "$name" "no tok binary at $TOK_SHOWN (build it with make, or set TOK)"; return
    fi

    IFS=$NL
    if [ "$ref" = decode ]; then
        # shellcheck disable=SC2086
        if ! run_tok "$dir/ids.txt" "$dir/tok.err" /dev/null encode -t "$tkpath" $lines_flag --format ids $nospecial $files; then
            unset IFS; fail_case "$name" "tok encode failed" "$dir/tok.err"; return
        fi
        # shellcheck disable=SC2086
        if ! run_tok "$dir/dec.txt" "$dir/tok.err" "$dir/ids.txt" decode -t "$tkpath" $lines_flag; then
            unset IFS; fail_case "$name" "tok decode failed" "$dir/tok.err"; return
        fi
        # shellcheck disable=SC2086
        node "$HERE/roundtrip.js" "$name" "$dir/dec.txt" $lines_flag $files
        rc=$?
    elif [ "$ref" = hf-full ]; then
        # shellcheck disable=SC2086
        if ! run_tok "$dir/tok.jsonl" "$dir/tok.err" /dev/null encode -t "$tkpath" $lines_flag --format json-full $nospecial $tokargs $files; then
            unset IFS; fail_case "$name" "tok encode failed" "$dir/tok.err"; return
        fi
        node "$HERE/compare_full.js" "$name" "$refout" "$dir/tok.jsonl"
        rc=$?
    else
        # shellcheck disable=SC2086
        if ! run_tok "$dir/tok.jsonl" "$dir/tok.err" /dev/null encode -t "$tkpath" $lines_flag --format json $nospecial $tokargs $files; then
            unset IFS; fail_case "$name" "tok encode failed" "$dir/tok.err"; return
        fi
        # shellcheck disable=SC2086
        node "$HERE/compare.js" "$name" "$refout" "$dir/tok.jsonl" $lines_flag $cmp_flags $files
        rc=$?
    fi
    unset IFS
    if [ $rc -eq 0 ]; then PASS=$((PASS + 1)); else FAILN=$((FAILN + 1)); fi
}

# Run a snapshot of tok, so that a rebuild during the run cannot mix two versions.
if [ -x "$TOK" ] && cp "$TOK" "$WORK/tok" 2>/dev/null; then
    TOK_SHOWN=$TOK
    TOK=$WORK/tok
else
    TOK_SHOWN=$TOK
fi

# PARITY_JOBS shards (default: the number of CPUs) run the cases, case i in
# shard i mod JOBS; each shard prints into its own file, shown in order after.
JOBS=${PARITY_JOBS:-$(nproc 2>/dev/null || echo 1)}
start=$(date +%s)
ncases=0
while read -r name ref tkfile text mode opts rest; do
    case $name in ''|'#'*) continue ;; esac
    selected "$name" || continue
    ncases=$((ncases + 1))
    echo "$ncases $name $ref $tkfile $text $mode ${opts:-} ${rest:-}" >> "$WORK/cases.list"
done < "$CASES_FILE"
k=0
while [ "$k" -lt "$JOBS" ] && [ "$ncases" -gt 0 ]; do
    (
        while read -r i name ref tkfile text mode opts rest; do
            [ $(( (i - 1) % JOBS )) -eq "$k" ] || continue
            if [ -z "${opts:-}" ] || [ -n "${rest:-}" ]; then
                fail_case "$name" "malformed line in $CASES_FILE (want NAME REF TOKENIZER TEXT MODE OPTIONS)"
                continue
            fi
            run_case "$name" "$ref" "$tkfile" "$text" "$mode" "$opts" < /dev/null
        done < "$WORK/cases.list"
        echo "$PASS $FAILN" > "$WORK/shard.$k.count"
    ) > "$WORK/shard.$k.out" 2>&1 &
    k=$((k + 1))
done
wait
k=0
while [ "$k" -lt "$JOBS" ] && [ "$ncases" -gt 0 ]; do
    cat "$WORK/shard.$k.out"
    if read -r p f < "$WORK/shard.$k.count"; then
        PASS=$((PASS + p)); FAILN=$((FAILN + f))
    else
        fail_case "shard $k" "ended without its count"
    fi
    k=$((k + 1))
done

if [ "$ncases" -eq 0 ]; then
    echo "parity: no case in $CASES_FILE matches PARITY_CASES='${PARITY_CASES:-}'"
    echo "0 passed, 0 failed"
    exit 1
fi
echo "parity: $ncases cases in $(( $(date +%s) - start )) s (tok: $TOK_SHOWN)"
echo "$PASS passed, $FAILN failed"
[ "$FAILN" -eq 0 ]
