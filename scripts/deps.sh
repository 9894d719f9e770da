#!/bin/sh
# Install libtok's build and test dependencies on Debian/Ubuntu.  Idempotent and
# fast when everything is already present (dpkg-query, no apt run).
set -eu

PKGS="build-essential pkg-config libpcre2-dev libutf8proc-dev libzstd-dev libjansson-dev
libcmocka-dev libxxhash-dev sentencepiece"

missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"ok installed") ;; *) missing="$missing $p" ;; esac
done
# node and npm: any working install will do (e.g. NodeSource's nodejs ships npm and
# conflicts with Debian's npm package), so only ask apt when the commands are absent.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm  >/dev/null 2>&1 || missing="$missing npm"

if [ -z "$missing" ]; then
    echo "deps: all present"
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
