#!/bin/sh
# The floors of libtok/, lowest first: a folder may use the ones below it,
# never one above.  Checked on the built objects: every undefined symbol of
# an object in one folder that another folder of libtok defines must come
# from the same folder or a lower one.  Usage: check-floors.sh [build-dir]
b=${1:-build}
FLOORS="core scan regex normalizers pretokenizers models processors decoders methods pipeline loaders tokenizer"
# Known crossings, each to be removed by the work named (folder:symbol):
# none (the last, the EM score estimation in methods/, moved to vocab/).
ALLOW=""
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
rank() { i=0; for f in $FLOORS; do [ "$f" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
for f in $FLOORS; do
    ls "$b"/libtok/"$f"/*.o >/dev/null 2>&1 || continue
    for o in "$b"/libtok/"$f"/*.o; do
        [ -f "${o%.o}.c" ] || [ -f "libtok/$f/$(basename "${o%.o}").c" ] || continue
        nm --defined-only "$o" | awk '$2 ~ /^[TDRB]$/ { print $3 }' | sed "s|\$| $f|"
    done
done | sort -u >"$tmp/defs"
bad=0
for f in $FLOORS; do
    r=$(rank "$f")
    for o in "$b"/libtok/"$f"/*.o; do
        [ -f "$o" ] && [ -f "libtok/$f/$(basename "${o%.o}").c" ] || continue
        nm -u "$o" | awk '{ print $2 }' | sort -u | join - "$tmp/defs" | while read -r sym where; do
            [ "$where" = "$f" ] && continue
            if [ "$(rank "$where")" -gt "$r" ]; then
                case " $ALLOW " in *" $f:$sym "*) continue ;; esac
                echo "check-floors: libtok/$f/$(basename "${o%.o}").c uses $sym from libtok/$where/ (a higher floor)"
            fi
        done
    done
done >"$tmp/out"
cp "$tmp/out" "$tmp/out2"
# jansson is seen only where JSON trees are handled: through core/json.h
for f in $(grep -l '<jansson.h>' libtok/*.h libtok/*/*.h libtok/*/*.c); do
    [ "$f" = libtok/core/json.h ] || echo "check-floors: $f includes jansson (include core/json.h where JSON is handled)"
done >>"$tmp/out2"
if [ -s "$tmp/out2" ]; then cat "$tmp/out2"; exit 1; fi
echo "check-floors: $FLOORS (lowest first): no folder uses a higher one"
