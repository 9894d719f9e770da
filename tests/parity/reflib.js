// Helpers shared by the parity scripts (reference runners and compare.js).
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');

const cacheDir = () => process.env.TOK_CACHE || path.join(os.homedir(), '.cache', 'libtok');

// Load a package from the pinned npm tree that scripts/fetch-refs.sh installs.
function npmRequire(name) {
  const dir = path.join(cacheDir(), 'npm', 'node_modules', name);
  try {
    return require(dir);
  } catch (e) {
    console.error(`cannot load ${name} from ${dir}: run scripts/fetch-refs.sh (${e.message})`);
    process.exit(2);
  }
}

// The texts of a file: the whole file, or (lines) each line without its '\n'.
// A trailing '\n' does not start another text; an empty file has no lines.
function splitTexts(s, lines) {
  if (!lines) return [s];
  if (s === '') return [];
  const t = s.split('\n');
  if (t[t.length - 1] === '') t.pop();
  return t;
}
// Same on bytes (Buffers), for byte offsets and contexts.
function splitBytes(buf, lines) {
  if (!lines) return [buf];
  const out = [];
  let start = 0;
  while (start < buf.length) {
    let nl = buf.indexOf(0x0a, start);
    if (nl < 0) nl = buf.length;
    out.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  return out;
}

// Byte offset of every Unicode-scalar index of a JS string (length = scalars + 1):
// the HF binding reports offsets in scalars, the parity files in UTF-8 bytes.
function scalarToByte(s) {
  const map = new Uint32Array(s.length + 1); // upper bound on scalars
  let n = 0, b = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    map[n++] = b;
    if (c < 0x80) b += 1;
    else if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { b += 4; i++; }
    else b += 3;
  }
  map[n] = b;
  return map.subarray(0, n + 1);
}

function writeAll(fd, buf) {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}
function writeLines(arr) {
  if (arr.length) writeAll(1, Buffer.from(arr.join('\n') + '\n', 'utf8'));
}

module.exports = { cacheDir, npmRequire, splitTexts, splitBytes, scalarToByte, writeLines, writeAll };
