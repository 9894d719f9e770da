#!/bin/sh
# Run the cmocka unit test binaries given as arguments (after the build dir),
# then every shell suite listed in tests/suites.txt against this build's tok.
# A listed suite that is missing, not runnable, or that reports a skip fails
# the run: a suite that silently does not run is a defect.
#
# TEST_JOBS of them run at a time (default: the number of CPUs); their
# outputs are reported in list order once all have run.  Each test writes
# its own temporary files (mkstemp/mktemp), so they do not collide.
# Prints each failure, the slowest items and a final "N passed, M failed".
b=$1; shift
jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
# Tests run side by side already: OpenBLAS's own threads would only compete
# with them, and its workers spin (sched_yield) while they wait, so on a busy
# machine each small product costs scheduler time slices (a 100-second glitch
# suite took 40 minutes beside one other job).
OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export OPENBLAS_NUM_THREADS
w=$(mktemp -d "${TMPDIR:-/tmp}/libtok-unit.XXXXXX") || exit 1
trap 'rm -rf "$w"' EXIT
pass=0; fail=0
if [ "$b" = build ]; then tokbin=$(pwd)/tok; else tokbin=$(pwd)/$b/tok; fi
sanitized=0
nm "$b/libtok.a" 2>/dev/null | grep -q __asan_init && sanitized=1

# The list: "N kind path", suites first (the long ones start early).
: >"$w/list"
n=0
plain_only=""
while read -r suite rest; do
    case "$suite" in ''|'#'*) continue ;; esac
    if [ ! -f "$suite" ]; then fail=$((fail+1)); echo "FAILED: $suite (listed in tests/suites.txt, missing)"; continue; fi
    # "plain" in the second column: run in the plain build only (the module's
    # cmocka tests still run under the sanitizers); said, not hidden
    if [ "$sanitized" = 1 ] && [ "${rest%% *}" = plain ]; then plain_only="$plain_only $suite"; continue; fi
    n=$((n+1)); echo "$n suite $suite" >>"$w/list"
done < tests/suites.txt
for t in "$@"; do
    if [ ! -x "$t" ]; then fail=$((fail+1)); echo "FAILED: $t (missing)"; continue; fi
    n=$((n+1)); echo "$n bin $t" >>"$w/list"
done
# the cmocka binaries must be exactly the test_*.c sources
for src in tests/unit/test_*.c; do
    bin=$b/tests/$(basename "$src" .c)
    case " $* " in *" $bin "*) ;; *) fail=$((fail+1)); echo "FAILED: $src was not built or not run" ;; esac
done

# Run: each item leaves N.out (its output), N.st (exit status), N.time.
TOK="$tokbin" BUILD_DIR="$b" W="$w" xargs -P "$jobs" -L 1 sh -c '
    t0=$(date +%s.%N)
    if [ "$2" = bin ]; then "$3" >"$W/$1.out" 2>&1; else sh "$3" >"$W/$1.out" 2>&1; fi
    echo $? >"$W/$1.st"
    echo "$(date +%s.%N) $t0 $3" | awk "{ printf \"%7.1f %s\\n\", \$1 - \$2, \$3 }" >"$W/$1.time"
' sh <"$w/list"

while read -r i kind p; do
    st=$(cat "$w/$i.st" 2>/dev/null || echo "not run")
    if [ "$kind" = bin ]; then
        grep -E '^\[  (FAILED|SKIPPED|  ERROR) |^\[==========\]|^\[  PASSED  \]' "$w/$i.out" | grep -v '^\[==========\] .*test(s) run' || true
        if [ "$st" != 0 ]; then fail=$((fail+1)); echo "FAILED: $p (exit $st); its last lines:"
            grep -vE '^\[ +(RUN|OK|PASSED) +\]|^\[==========\]' "$w/$i.out" | tail -n 40
        elif grep -q '^\[  SKIPPED \]' "$w/$i.out"; then fail=$((fail+1)); echo "FAILED: $p skipped tests (run sh scripts/fetch-refs.sh)"
        else pass=$((pass+1)); fi
    else
        grep -v '^ok ' "$w/$i.out" | tail -n 40
        if [ "$st" != 0 ]; then fail=$((fail+1)); echo "FAILED: $p (exit $st)"
        elif grep -qiE '^(SKIP|skipped)' "$w/$i.out"; then fail=$((fail+1)); echo "FAILED: $p skipped checks"
        else pass=$((pass+1)); fi
    fi
done <"$w/list"
[ -n "$plain_only" ] && echo "run in the plain build only (tests/suites.txt):$plain_only"
# the cost of each item stays visible: make check must stay well under 15 min
echo "slowest (s, $jobs at a time):"
cat "$w"/*.time 2>/dev/null | sort -rn | head -n 8
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
