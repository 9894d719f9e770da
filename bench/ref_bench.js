// Time a reference tokenizer on one text, in the same run as libtok (bench/run.sh).
//
//   node ref_bench.js hf TOKENIZER.json TEXT IDS_OUT
//   node ref_bench.js tiktoken ENCODING TEXT IDS_OUT
//   node ref_bench.js gpt-tokenizer ENCODING TEXT IDS_OUT
//
// Encodes the whole text as one input without special tokens, as tokbench
// does: cold (first encode after load), warm (the same again, best of 2) and
// primed (a fresh instance encodes the first half up to a line break, then
// the second half is timed).  Writes the ids of the cold run space-separated
// to IDS_OUT and prints one JSON line {"ref","load_ms","cold","primed","warm",
// "tokens","peak_rss_mb"} (MB/s).
'use strict';
const fs = require('fs');
const path = require('path');
const cache = process.env.TOK_CACHE || path.join(process.env.HOME, '.cache/libtok');
const req = (m) => require(path.join(cache, 'npm/node_modules', m));

const [kind, tok, textFile, idsOut] = process.argv.slice(2);
const buf = fs.readFileSync(textFile);
const text = buf.toString('utf8');
const bytes = buf.length;
// the same cut as tokbench: the first line break at or after the middle byte
let h = buf.indexOf(10, bytes >> 1);
if (h < 0) { h = bytes >> 1; while (h > 0 && (buf[h] & 0xC0) === 0x80) h--; } else h++;
const first = buf.subarray(0, h).toString('utf8'), second = buf.subarray(h).toString('utf8');
// CPU time of the process (all its threads), as tokbench times one thread:
// far less disturbed than the wall clock on a shared machine
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

function load() {
  if (kind === 'hf') {
    const { Tokenizer } = req('tokenizers');
    const t = Tokenizer.fromFile(tok);
    return async (s) => (await t.encode(s, null, { addSpecialTokens: false })).getIds();
  } else if (kind === 'tiktoken') {
    const { get_encoding } = req('tiktoken');
    const e = get_encoding(path.basename(tok).replace(/\.tiktoken$/, ''));
    return async (s) => Array.from(e.encode_ordinary(s));
  } else if (kind === 'gpt-tokenizer') {
    const name = path.basename(tok).replace(/\.tiktoken$/, '');
    const m = req('gpt-tokenizer/cjs/encoding/' + name + '.js');
    return async (s) => m.encode(s, { disallowedSpecial: new Set() });
  }
  console.error('unknown reference ' + kind);
  process.exit(2);
}

(async () => {
  let t0 = now();
  let encode = load();
  const loadMs = (now() - t0) * 1e3;
  t0 = now();
  const ids = await encode(text);
  const cold = now() - t0;
  let warm = Infinity;
  for (let r = 0; r < 2; r++) {
    t0 = now();
    await encode(text);
    warm = Math.min(warm, now() - t0);
  }
  fs.writeFileSync(idsOut, ids.join(' ') + '\n');
  const rss = process.resourceUsage().maxRSS / 1024;
  encode = load();
  await encode(first);
  t0 = now();
  await encode(second);
  const primed = now() - t0;
  const mb = (b, s) => +(b / s / 1e6).toFixed(2);
  console.log(JSON.stringify({ ref: kind, load_ms: +loadMs.toFixed(1), cold: mb(bytes, cold),
    primed: mb(bytes - h, primed), warm: mb(bytes, warm), tokens: ids.length, peak_rss_mb: +rss.toFixed(1) }));
})().catch((e) => { console.error(e); process.exit(1); });
