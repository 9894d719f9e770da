#!/bin/sh
# Run the cmocka unit test binaries given as arguments (after the build dir),
# then every shell suite listed in tests/suites.txt against this build's tok.
# A listed suite that is missing, not runnable, or that reports a skip fails
# the run: a suite that silently does not run is a defect.
# Prints each failure and a final "N passed, M failed" line.
b=$1; shift
pass=0; fail=0
for t in "$@"; do
    if [ ! -x "$t" ]; then fail=$((fail+1)); echo "FAILED: $t (missing)"; continue; fi
    out=$("$t" 2>&1); st=$?
    printf '%s\n' "$out" | grep -E '^\[  (FAILED|SKIPPED|  ERROR) |^\[==========\]|^\[  PASSED  \]' | grep -v '^\[==========\] .*test(s) run' || true
    if [ $st -ne 0 ]; then fail=$((fail+1)); echo "FAILED: $t"
    elif printf '%s\n' "$out" | grep -q '^\[  SKIPPED \]'; then fail=$((fail+1)); echo "FAILED: $t skipped tests (run sh scripts/fetch-refs.sh)"
    else pass=$((pass+1)); fi
done
# the cmocka binaries must be exactly the test_*.c sources
for src in tests/unit/test_*.c; do
    bin=$b/tests/$(basename "$src" .c)
    case " $* " in *" $bin "*) ;; *) fail=$((fail+1)); echo "FAILED: $src was not built or not run" ;; esac
done
if [ "$b" = build ]; then tokbin=$(pwd)/tok; else tokbin=$(pwd)/$b/tok; fi
sanitized=0
nm "$b/libtok.a" 2>/dev/null | grep -q __asan_init && sanitized=1
plain_only=""
while read -r suite rest; do
    case "$suite" in ''|'#'*) continue ;; esac
    if [ ! -f "$suite" ]; then fail=$((fail+1)); echo "FAILED: $suite (listed in tests/suites.txt, missing)"; continue; fi
    # "plain" in the second column: run in the plain build only (the module's
    # cmocka tests still run under the sanitizers); said, not hidden
    if [ "$sanitized" = 1 ] && [ "${rest%% *}" = plain ]; then plain_only="$plain_only $suite"; continue; fi
    out=$(TOK="$tokbin" BUILD_DIR="$b" sh "$suite" 2>&1); st=$?
    printf '%s\n' "$out" | grep -v '^ok ' | tail -n 40
    if [ $st -ne 0 ]; then fail=$((fail+1)); echo "FAILED: $suite (exit $st)"
    elif printf '%s\n' "$out" | grep -qiE '^(SKIP|skipped)'; then fail=$((fail+1)); echo "FAILED: $suite skipped checks"
    else pass=$((pass+1)); fi
done < tests/suites.txt
[ -n "$plain_only" ] && echo "run in the plain build only (tests/suites.txt):$plain_only"
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
