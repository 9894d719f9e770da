#!/bin/sh
# Reproduce the published token counts of Petrov et al. 2023 with
# `tok analyze parity`: feed each FLORES-200 language exactly as the paper's
# compute/compute_tokenizations.py does (dev and devtest read, split on "\n",
# all pieces joined by one space, encoded as one text, no special tokens) and
# compare with its assets/tokenization_lengths.csv.  FLORES-200 is not in the
# Debian or npm registries, so this is not part of `make check`:
#
#   sh tests/lang/petrov_check.sh REPO [LANG...]
#
# REPO: a checkout (or bare/mirror git dir) of AleksandarPetrov/tokenization-fairness.
# Checks cl100k_base, r50k_base, p50k_base, LLAMA (llama2.model) and UTF-32
# (characters).  Exit 1 on any difference.
set -eu
REPO=$1; shift
TOK=${TOK:-$(cd "$(dirname "$0")/../.." && pwd)/tok}
K=${TOK_CACHE:-$HOME/.cache/libtok}/tokenizers
D=$(mktemp -d "${TMPDIR:-/tmp}/petrov.XXXXXX")
trap 'rm -rf "$D"' EXIT
LANGS=${*:-"eng_Latn deu_Latn rus_Cyrl zho_Hans jpn_Jpan mya_Mymr shn_Mymr amh_Ethi arb_Arab hin_Deva tha_Thai kor_Hang tur_Latn fin_Latn ell_Grek heb_Hebr vie_Latn tam_Taml"}
get() { if [ -d "$REPO/.git" ] || [ ! -d "$REPO/compute" ]; then git -C "$REPO" show "HEAD:$1"; else cat "$REPO/$1"; fi; }
get assets/tokenization_lengths.csv > "$D/lengths.csv"
get compute/flores_language_map.csv > "$D/map.csv"
files=""
for l in $LANGS; do
    get "flores200_dataset/dev/$l.dev" > "$D/$l.dev"
    get "flores200_dataset/devtest/$l.devtest" > "$D/$l.devtest"
    /usr/bin/python3 -c '
import sys
d=open(sys.argv[1],encoding="utf-8").read().split("\n")+open(sys.argv[2],encoding="utf-8").read().split("\n")
open(sys.argv[3],"w",encoding="utf-8",newline="").write(" ".join(d))' "$D/$l.dev" "$D/$l.devtest" "$D/$l.txt"
    files="$files $D/$l.txt"
done
for t in cl100k_base r50k_base p50k_base "$K/llama2.model"; do
    $TOK analyze parity -t "$t" --ref eng_Latn --json $files > "$D/$(basename "$t").json"
done
/usr/bin/python3 - "$D" <<'P'
import csv, json, os, sys
d = sys.argv[1]
names = {r[1].strip(): r[0].strip() for r in csv.reader(open(os.path.join(d, "map.csv"))) if len(r) >= 2}
pub = {r["Language"]: r for r in csv.DictReader(open(os.path.join(d, "lengths.csv")))}
cols = {"cl100k_base.json": "cl100k_base", "r50k_base.json": "r50k_base", "p50k_base.json": "p50k_base", "llama2.model.json": "LLAMA"}
same = diff = 0
for f, col in cols.items():
    for l in json.load(open(os.path.join(d, f)))["languages"]:
        p = pub[names[l["lang"]]]
        for ours, theirs, what in ((l["tokens"], int(p[col]), col), (l["chars"], int(p["UTF-32"]), "UTF-32")):
            if ours == theirs: same += 1
            else:
                diff += 1
                print(f"{l['lang']} {what}: ours {ours}, published {theirs}")
print(f"petrov: {same} counts equal to the published table, {diff} differ")
sys.exit(1 if diff else 0)
P
