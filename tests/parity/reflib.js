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

module.exports = { cacheDir, npmRequire, splitTexts, splitBytes, writeLines, writeAll };
