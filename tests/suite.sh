# Sourced by the shell suites (". tests/suite.sh; suite_begin NAME"): the
# binary under test, a scratch directory and the pass/fail bookkeeping every
# suite shares.  Sets ROOT (the repository), TOK (absolute path of the tok
# binary: $TOK or ROOT/tok), D (a directory removed at exit), pass and fail.
#   ok                      count a pass
#   bad MESSAGE             count a failure and print "FAIL MESSAGE"
#   check NAME WANT GOT [FILE NEEDLE]
#                           exit status GOT must be WANT, and FILE contain NEEDLE
#   same NAME GOT WANT      two strings must be equal
#   suite_end               print "NAME: N passed, M failed"; its status is
#                           the suite's (make it the last command)
suite_begin() {
    SUITE=$1
    ROOT=$(cd "$(dirname "$0")/../.." && pwd)
    TOK=${TOK:-$ROOT/tok}
    case $TOK in /*) ;; *) TOK=$(pwd)/$TOK ;; esac
    D=$(mktemp -d "${TMPDIR:-/tmp}/libtok-$SUITE.XXXXXX") || exit 1
    trap 'rm -rf "$D"' EXIT
    pass=0 fail=0
}
ok() { pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }
check() {
    if [ "$3" -ne "$2" ]; then bad "$1: exit $3, want $2 ($(head -c 300 "${4:-/dev/null}"))"; return; fi
    if [ $# -ge 5 ] && ! grep -qF -- "$5" "$4"; then bad "$1: '$5' not in: $(head -c 300 "$4")"; return; fi
    ok
}
same() {
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
suite_end() {
    echo "$SUITE: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
