#!/bin/sh
# The morphology table of the report: for Turkish, Finnish and English and six
# tokenizers, %pure / %valid (word lists of scripts/fetch.d/words.sh vs the
# gold words alone) and boundary F1 on the gold files (Zemberek, Voikko, the
# hand-made English set) beside the approximate hunspell-derived gold.
# Not part of make check (about a minute); prints a Markdown table.
# TOK: the binary (default ./tok).
set -eu
TOK=${TOK:-./tok}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
C=${TOK_CACHE:-$HOME/.cache/libtok}
G=$C/lang/gold
TS="llama3 o200k_base cl100k_base mistral gemma3 bert-base-uncased"
D=$(mktemp -d "${TMPDIR:-/tmp}/libtok-wtab.XXXXXX")
trap 'rm -rf "$D"' EXIT
targs=""
for t in $TS; do targs="$targs -t $t"; done
run() { # NAME GOLD [WORDLIST]
    if [ -n "${3:-}" ]; then $TOK analyze morph $targs --gold "$2" --wordlist "$3" --json > "$D/$1.json"
    else $TOK analyze morph $targs --gold "$2" --json > "$D/$1.json"; fi
}
run tr "$G/tr-zemberek.tsv"; run tr-w "$G/tr-zemberek.tsv" tr; run tr-h "$G/tr-hunspell.tsv" tr
run fi "$G/fi-voikko.tsv"; run fi-w "$G/fi-voikko.tsv" fi
run en "$ROOT/data/gold/en-morph.tsv"; run en-w "$ROOT/data/gold/en-morph.tsv" en; run en-h "$G/en-hunspell.tsv" en
/usr/bin/python3 - "$D" <<'P'
import json, os, sys
d = sys.argv[1]
def load(n):
    p = os.path.join(d, n + ".json")
    return {r["tokenizer"]: r for r in json.load(open(p))["results"]} if os.path.exists(p) else {}
print("| lang | tokenizer | %pure | %valid gold words | %valid lists | F1 kept / all (gold) | F1 kept / all (hunspell, approx.) |")
print("|---|---|---|---|---|---|---|")
for lang, gold in (("tr", "Zemberek"), ("fi", "Voikko"), ("en", "hand")):
    a, w, h = load(lang), load(lang + "-w"), load(lang + "-h")
    for t, r in a.items():
        hf = "%.2f / %.2f" % (h[t]["f1"], h[t]["all"]["f1"]) if t in h else "n/a"
        print("| %s | %s | %.1f | %.1f | %.1f | %.2f / %.2f | %s |" % (lang, t.split(".")[0], r["pct_pure"], r["pct_valid"],
              w[t]["pct_valid"], r["f1"], r["all"]["f1"], hf))
for n in ("tr-w", "fi-w", "en-w"):
    j = json.load(open(os.path.join(d, n + ".json")))
    print("%s: %s" % (n[:2], j["wordlist"]["sources"]))
P
