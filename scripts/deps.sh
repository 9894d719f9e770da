#!/bin/sh
# Install libtok's dependencies on Debian/Ubuntu, by set:
#
#   sh scripts/deps.sh build        compile libtok, its modules and tok
#   sh scripts/deps.sh build test   + what make check needs (cmocka, references,
#                                   clang's libFuzzer, numpy, Chromium, ...)
#   sh scripts/deps.sh bench        + what make bench needs
#   sh scripts/deps.sh build demo   what make demo needs (the build and npm)
#
# Idempotent and fast when everything is present (dpkg-query, no apt run).
set -eu

[ $# -gt 0 ] || set -- build test

BUILD="build-essential pkg-config libpcre2-dev libutf8proc-dev libzstd-dev libjansson-dev
libxxhash-dev zlib1g-dev libicu-dev libopenblas-dev"
# test oracles and tools: cmocka, SentencePiece's spm_*, clang for libFuzzer,
# Debian's python3 with numpy/pytest (reference implementations in tests),
# Chromium (renders HTML reports), GNU parallel (the scale-out recipe),
# zstd/gzip (compressed corpora), Zemberek and Voikko (Turkish/Finnish morph gold),
# hunspell and unmunch (check the hunspell expansion of analyzers/lang).
TEST="libcmocka-dev sentencepiece libsentencepiece-dev clang libclang-rt-14-dev
python3 python3-dev python3-numpy python3-pytest python3-venv chromium parallel time
zstd gzip openjdk-17-jdk-headless libzemberek-tr-java voikko-fi python3-libvoikko
hunspell hunspell-tools"
BENCH="sentencepiece python3-sentencepiece time"

want=""
need_node=0
for set in "$@"; do
    case "$set" in
        build) want="$want $BUILD" ;;
        test) want="$want $TEST"; need_node=1 ;;
        bench) want="$want $BENCH"; need_node=1 ;;
        demo) need_node=1 ;;
        *) echo "deps: unknown set '$set' (build, test, bench, demo)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $want; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"ok installed") ;; *) case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac ;; esac
done
# node and npm: any working install will do (e.g. NodeSource's nodejs ships npm and
# conflicts with Debian's npm package), so only ask apt when the commands are absent.
if [ "$need_node" = 1 ]; then
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm  >/dev/null 2>&1 || missing="$missing npm"
fi

if [ -z "$missing" ]; then
    echo "deps ($*): all present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "deps: missing:$missing (need root or sudo to install)" >&2
    exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when they are absent or older than a day, or when
# an install from the current lists fails.
updated=0
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
    $SUDO apt-get update -q
    updated=1
fi
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
    [ "$updated" -eq 1 ] && exit 1
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
