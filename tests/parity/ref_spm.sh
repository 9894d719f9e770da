#!/bin/sh
# Reference encoder: SentencePiece's own spm_encode (Debian package sentencepiece).
#
#   sh ref_spm.sh MODEL TEXTFILE...
#
# spm_encode works line by line (each line without its '\n' is a text; no BOS/EOS
# is added), so this always behaves like --lines.  Prints one JSON line per text:
# {"ids":[...],"tokens":[...]}; spm_encode reports no offsets.  The pieces are for
# failure messages only, and are left out of a line where they do not pair up
# one to one with the ids.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: sh ref_spm.sh MODEL TEXTFILE..." >&2
    exit 2
fi
command -v spm_encode >/dev/null 2>&1 ||
    { echo "ref_spm: spm_encode not found (scripts/deps.sh installs sentencepiece)" >&2; exit 2; }
model=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ref_spm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for f in "$@"; do
    spm_encode --model="$model" --output_format=id --minloglevel=2 < "$f" >> "$tmp/ids"
    spm_encode --model="$model" --output_format=piece --minloglevel=2 < "$f" >> "$tmp/pieces"
done
node -e '
const fs = require("fs");
const split = (p) => { const l = fs.readFileSync(p, "utf8").split("\n"); l.pop(); return l; };
const ids = split(process.argv[1]), pieces = split(process.argv[2]);
if (ids.length !== pieces.length) { console.error("ref_spm: id and piece outputs differ in length"); process.exit(1); }
const out = ids.map((l, i) => {
  const id = l === "" ? [] : l.split(" ").map(Number);
  const pc = pieces[i] === "" ? [] : pieces[i].split(" ");
  return JSON.stringify(pc.length === id.length ? { ids: id, tokens: pc } : { ids: id });
});
fs.writeFileSync(1, out.length ? out.join("\n") + "\n" : "");
' "$tmp/ids" "$tmp/pieces"
