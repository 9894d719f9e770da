#!/bin/sh
# A fuzzing campaign: every target for SECONDS, JOBS at a time, at nice 19,
# each on its committed seeds plus what earlier runs found (CORPUS/<target>),
# then one line per target: execs, exec/s, coverage (cov/ft), crashes.
#
#   sh tests/fuzz/campaign.sh [BIN_DIR [SECONDS [JOBS [TARGETS...]]]]
#   (make fuzz-campaign FUZZ_SECONDS=N FUZZ_JOBS=2 builds and calls it)
#   FUZZ_RUNS=N stops each target after N executions (whichever of the time
#   and the count comes first), FUZZ_CORPUS=DIR keeps the corpus elsewhere,
#   FUZZ_NICE=N runs the targets at another niceness (default 19).
#
# A crash stops that target (libFuzzer's rule); its input is kept as
# BIN_DIR/crash-<target>-*, its log in BIN_DIR/<target>.campaign.log.
set -u
BIN=${1:-build-fuzz}
SECS=${2:-600}
JOBS=${3:-2}
[ $# -ge 3 ] && shift 3 || set --
TARGETS=${*:-"load_json load_tiktoken load_spm load_bert load_gpt2 load_tokpack load_gguf load_auto encode decode"}
CORPUS=${FUZZ_CORPUS:-build-fuzz/corpus}
HERE=$(dirname "$0")

# A smaller quarantine than ASan's 256 MB: freed blocks come back while
# their pages are still mapped, instead of every context's scratch landing on
# fresh pages (page faults were half the time of a short encode).
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=16}
export ASAN_OPTIONS

# Inputs past these sizes add time, not coverage: the loaders' seeds are
# under 7 KB, and long texts are the hostile-input tests' job.
max_len() {
    case $1 in
        encode|decode) echo 4096 ;;
        *) echo 8192 ;;
    esac
}

run_one() {
    t=$1
    mkdir -p "$CORPUS/$t"
    /usr/bin/time -o "$BIN/$t.cpu" -f "%U %S" nice -n "${FUZZ_NICE:-19}" "$BIN/fuzz_$t" -timeout=10 -rss_limit_mb=512 -malloc_limit_mb=256 -print_final_stats=1 \
        -max_total_time="$SECS" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -max_len="$(max_len "$t")" -dict="$HERE/$t.dict" \
        -artifact_prefix="$BIN/crash-$t-" "$CORPUS/$t" "$HERE/corpus/$t" >"$BIN/$t.campaign.log" 2>&1
    echo "$t exit $?" >>"$BIN/campaign.status"
}

: >"$BIN/campaign.status"
for t in $TARGETS; do
    [ -x "$BIN/fuzz_$t" ] || { echo "campaign: no $BIN/fuzz_$t (make fuzz-build)" >&2; exit 2; }
done
# JOBS workers, worker j taking targets j, j + JOBS, ... one after the other
j=0
while [ "$j" -lt "$JOBS" ]; do
    (
        i=0
        for t in $TARGETS; do
            [ $((i % JOBS)) -eq "$j" ] && run_one "$t"
            i=$((i + 1))
        done
    ) &
    j=$((j + 1))
done
wait

fail=0
# exec/s is per second of the clock; per CPU second it says what the target
# costs whatever else the machine runs
printf '%-14s %12s %9s %8s %12s %7s %7s %7s\n' target execs exec/s cpu-s exec/cpu-s cov ft crashes
for t in $TARGETS; do
    log="$BIN/$t.campaign.log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
    crashes=$(ls "$BIN"/crash-"$t"-* 2>/dev/null | wc -l)
    cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$BIN/$t.cpu" 2>/dev/null)
    percpu=$(awk -v e="${execs:-0}" -v c="${cpu:-0}" 'BEGIN { if (c > 0) printf "%.0f", e / c; else print "?" }')
    st=$(sed -n "s/^$t exit //p" "$BIN/campaign.status")
    [ "$st" = 0 ] || fail=1
    printf '%-14s %12s %9s %8s %12s %7s %7s %7s%s\n' "$t" "${execs:-?}" "${rate:-?}" "${cpu:-?}" "$percpu" \
        "${cov:-?}" "${ft:-?}" "$crashes" \
        "$([ "$st" = 0 ] || echo "  (exit $st: $log)")"
done
exit $fail
