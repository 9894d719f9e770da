#!/bin/sh
# The floors of the tree, checked on the sources:
#  - the modules above the core (given as arguments, highest first) and the CLI
#    include only public headers: libtok/tok.h and the modules' own headers,
#    never libtok's internals;
#  - a module never includes a module listed before it (a higher floor).
# Exit 1 with the offending lines.
set -u
bad=0
mods="$*"
for dir in cli $mods; do
    [ -d "$dir" ] || continue
    hits=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](\.\./)*libtok/[^t]|#[[:space:]]*include[[:space:]]*[<"](\.\./)*libtok/t[^o]|internal\.h' \
        --include='*.c' --include='*.h' "$dir" 2>/dev/null | grep -v 'libtok/tok\.h' || true)
    if [ -n "$hits" ]; then echo "layers: $dir reaches libtok internals:"; echo "$hits"; bad=1; fi
done
above=""
for m in $mods; do
    for hi in $above; do
        hits=$(grep -rnE "#[[:space:]]*include[[:space:]]*[<\"](\.\./)*$hi/" --include='*.c' --include='*.h' "$m" 2>/dev/null || true)
        if [ -n "$hits" ]; then echo "layers: $m (lower) includes $hi (higher):"; echo "$hits"; bad=1; fi
    done
    above="$above $m"
done
# libtok itself never includes a module or the CLI
hits=$(grep -rnE "#[[:space:]]*include[[:space:]]*[<\"](\.\./)*($(echo cli $mods | tr ' ' '|'))/" --include='*.c' --include='*.h' libtok 2>/dev/null || true)
if [ -n "$hits" ]; then echo "layers: libtok includes a module above it:"; echo "$hits"; bad=1; fi
[ $bad -eq 0 ] && echo "layers: ok (cli, $mods on the public API)"
exit $bad
