#!/bin/sh
# Run the cmocka unit test binaries given as arguments (after the build dir).
# Prints each binary's result and a final "N passed, M failed" line.
b=$1; shift
pass=0; fail=0
for t in "$@"; do
    if "$t"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAILED: $t"; fi
done
# CLI behaviour tests (exit codes, messages) against the tok binary of this build
if [ -x tests/cli/run.sh ]; then
    if [ "$b" = build ]; then tokbin=./tok; else tokbin=$b/tok; fi
    if TOK="$tokbin" sh tests/cli/run.sh; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAILED: tests/cli/run.sh"; fi
fi
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
