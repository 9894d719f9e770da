// Time a reference tokenizer on one text, in the same run as libtok (bench/run.sh).
//
//   node ref_bench.js hf TOKENIZER.json TEXT IDS_OUT
//   node ref_bench.js tiktoken ENCODING TEXT IDS_OUT
//   node ref_bench.js gpt-tokenizer ENCODING TEXT IDS_OUT
//
// Encodes the whole text as one input without special tokens (best of 2 runs after
// a warm-up on a slice), writes the ids space-separated to IDS_OUT, and prints one
// JSON line {"ref","load_ms","encode_s","mb_s","tokens","peak_rss_mb"}.
'use strict';
const fs = require('fs');
const path = require('path');
const cache = process.env.TOK_CACHE || path.join(process.env.HOME, '.cache/libtok');
const req = (m) => require(path.join(cache, 'npm/node_modules', m));

const [kind, tok, textFile, idsOut] = process.argv.slice(2);
const text = fs.readFileSync(textFile, 'utf8');
const bytes = Buffer.byteLength(text, 'utf8');
const now = () => Number(process.hrtime.bigint()) / 1e9;

(async () => {
  let t0 = now();
  let encode;
  if (kind === 'hf') {
    const { Tokenizer } = req('tokenizers');
    const t = Tokenizer.fromFile(tok);
    encode = async (s) => (await t.encode(s, null, { addSpecialTokens: false })).getIds();
  } else if (kind === 'tiktoken') {
    const { get_encoding } = req('tiktoken');
    const e = get_encoding(path.basename(tok).replace(/\.tiktoken$/, ''));
    encode = async (s) => Array.from(e.encode_ordinary(s));
  } else if (kind === 'gpt-tokenizer') {
    const name = path.basename(tok).replace(/\.tiktoken$/, '');
    const m = req('gpt-tokenizer/cjs/encoding/' + name + '.js');
    encode = async (s) => m.encode(s, { disallowedSpecial: new Set() });
  } else {
    console.error('unknown reference ' + kind);
    process.exit(2);
  }
  await encode(text.slice(0, 10000));
  const load = now() - t0;
  let best = Infinity, ids;
  for (let r = 0; r < 2; r++) {
    t0 = now();
    ids = await encode(text);
    best = Math.min(best, now() - t0);
  }
  fs.writeFileSync(idsOut, ids.join(' ') + '\n');
  console.log(JSON.stringify({ ref: kind, load_ms: +(load * 1e3).toFixed(1), encode_s: +best.toFixed(4),
    mb_s: +(bytes / best / 1e6).toFixed(2), tokens: ids.length,
    peak_rss_mb: +(process.resourceUsage().maxRSS / 1024).toFixed(1) }));
})().catch((e) => { console.error(e); process.exit(1); });
