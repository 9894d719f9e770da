#!/bin/sh
# Stopword lists for the saliency priors: npm stopwords-iso (58 languages,
# one JSON object language -> words), unpacked to $TOK_CACHE/stopwords/.
set -eu
DIR=$TOK_CACHE/stopwords
VER=1.1.0
[ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$VER" ] && [ "${FETCH_FORCE:-0}" != 1 ] && {
    [ "${FETCH_QUIET:-0}" = 1 ] || echo "fetch: stopwords: up to date"
    exit 0
}
mkdir -p "$DIR"
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-sw.XXXXXX")
trap 'rm -rf "$W"' EXIT
(cd "$W" && npm pack --silent "stopwords-iso@$VER" >/dev/null) || { echo "fetch: npm pack stopwords-iso failed" >&2; exit 1; }
tar xzf "$W"/stopwords-iso-$VER.tgz -C "$W"
cp "$W/package/stopwords-iso.json" "$DIR/stopwords-iso.json"
echo "$VER" > "$DIR/.stamp"
[ "${FETCH_QUIET:-0}" = 1 ] || echo "fetch: stopwords: stopwords-iso $VER in $DIR"
