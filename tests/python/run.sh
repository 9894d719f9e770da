#!/bin/sh
# The Python package: `pip install ./python` into a fresh venv of Debian's
# python3 (with its numpy and pytest), against this build's libtok
# (BUILD_DIR; under ASan+UBSan the sanitizer runtimes are preloaded), then
# pytest compares the package with the C library on the parity texts.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${BUILD_DIR:-build}
case "$B" in /*) ;; *) B=$ROOT/$B ;; esac
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "FAIL: $PY missing (sh scripts/deps.sh test)"; exit 1; }
sh "$ROOT/scripts/fetch-refs.sh" >/dev/null
V=$B/pyvenv
rm -rf "$V"
"$PY" -m venv --system-site-packages "$V"
LIBTOK_PREFIX=$B "$V/bin/pip" install --no-index -q "$ROOT/python" >"$B/pip.log" 2>&1 || { cat "$B/pip.log"; echo "FAIL: pip install ./python"; exit 1; }
PRE=""
if nm "$B/libtok.a" 2>/dev/null | grep -q __asan_init; then
    PRE="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
fi
mkdir -p "$V/run"; cd "$V/run"   # neither the source tree nor build/ (libtok.so there): import the installed package
TOK=${TOK:-$ROOT/tok} LD_PRELOAD="$PRE" ASAN_OPTIONS=detect_leaks=0 \
    "$V/bin/python" -m pytest -q -p no:cacheprovider "$ROOT/python/tests"
