#!/bin/sh
# make bench, Python part: the package installed into a venv of Debian's
# python3, timed beside python3-sentencepiece and the C CLI (bench/python_bench.py).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$ROOT/build}
V=$B/pyvenv-bench
rm -rf "$V"
/usr/bin/python3 -m venv --system-site-packages "$V"
LIBTOK_PREFIX=$B "$V/bin/pip" install --no-index -q "$ROOT/python" >/dev/null
cd "$V"
"$V/bin/python" "$ROOT/bench/python_bench.py" "$ROOT/tok" "${TOK_CACHE:-$HOME/.cache/libtok}"
