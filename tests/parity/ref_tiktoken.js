// Reference encoder: OpenAI tiktoken (npm `tiktoken`, the Rust core as WASM).
//
//   node ref_tiktoken.js ENCODING TEXTFILE... [--lines]
//
// ENCODING is a name (cl100k_base) or a path whose basename names it
// (.../o200k_base.tiktoken).  Uses encode_ordinary: special-token text is plain
// text.  Prints one JSON line per text: {"ids":[...],"offsets":[[s,e],...],"tokens":[...]} where
// the offsets are the byte spans of each token's bytes laid end to end (tiktoken
// itself has no offsets; tokens of a split multibyte character get partial spans).
'use strict';
const fs = require('fs');
const path = require('path');
const { splitTexts, npmRequire, writeLines } = require('./reflib.js');

const args = process.argv.slice(2);
const lines = args.includes('--lines');
const pos = args.filter((a) => !a.startsWith('--'));
if (pos.length < 2) {
  console.error('usage: node ref_tiktoken.js ENCODING TEXTFILE... [--lines]');
  process.exit(2);
}
const name = path.basename(pos[0]).replace(/\.tiktoken$/, '');
const { get_encoding } = npmRequire('tiktoken');
const enc = get_encoding(name);

// Byte length and display form of each token (its text, or \xNN escapes when its
// bytes are not UTF-8 on their own).
const cache = new Map();
const strict = new TextDecoder('utf-8', { fatal: true });
function token(id) {
  let t = cache.get(id);
  if (t === undefined) {
    const b = enc.decode_single_token_bytes(id);
    let s;
    try { s = strict.decode(b); } catch { s = Array.from(b, (x) => '\\x' + x.toString(16).padStart(2, '0')).join(''); }
    t = { n: b.length, s };
    cache.set(id, t);
  }
  return t;
}

const out = [];
for (const file of pos.slice(1)) {
  for (const text of splitTexts(fs.readFileSync(file, 'utf8'), lines)) {
    const ids = Array.from(enc.encode_ordinary(text));
    const offsets = new Array(ids.length), tokens = new Array(ids.length);
    let b = 0;
    for (let i = 0; i < ids.length; i++) {
      const t = token(ids[i]);
      offsets[i] = [b, b + t.n];
      tokens[i] = t.s;
      b += t.n;
    }
    if (b !== Buffer.byteLength(text)) {
      console.error(`ref_tiktoken: token bytes do not cover the text (${b} != ${Buffer.byteLength(text)})`);
      process.exit(1);
    }
    out.push(JSON.stringify({ ids, offsets, tokens }));
    if (out.length >= 1024) writeLines(out.splice(0));
  }
}
writeLines(out);
enc.free();
