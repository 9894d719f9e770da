// Bad input never crashes: truncated and mutated real tokenizer files (JSON,
// .tiktoken, .model, .tokpack) and texts go through `tok` (an ASan+UBSan build
// in `make check`); every run must end with exit 0 or 1 and no sanitizer report.
//
//   node tests/robust/fuzz.js TOK TOKENIZER_DIR [ROUNDS]
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const [tok, tkdir, roundsArg] = process.argv.slice(2);
const rounds = +(roundsArg || 40);
let seed = 12345;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'libtok-fuzz-'));
const sources = [
  ['mistral.json', 'json'], ['llama3.json', 'json'], ['r50k_base.tiktoken', 'tiktoken'],
  ['albert.model', 'model'],
];
// a compact file made from one of them
const packed = path.join(work, 'src.tokpack');
spawnSync(tok, ['convert', '-t', path.join(tkdir, 'mistral.json'), '-o', packed]);
let bad = 0, runs = 0;
function run(file, ext, input, extra) {
  const r = spawnSync(tok, ['encode', '-t', file, ...extra], { input, timeout: 120000 });
  runs++;
  const err = (r.stderr || '').toString();
  if (r.status === null || (r.status !== 0 && r.status !== 1) || /Sanitizer|runtime error/.test(err)) {
    bad++;
    console.log(`FAIL ${ext}: exit ${r.status} signal ${r.signal}\n${err.slice(-600)}`);
  }
}
const all = sources.map(([f, ext]) => [fs.readFileSync(path.join(tkdir, f)), ext]);
if (fs.existsSync(packed)) all.push([fs.readFileSync(packed), 'tokpack']);
for (let k = 0; k < rounds; k++) {
  const [src, ext] = all[k % all.length];
  let d = Buffer.from(src);
  switch (rnd(3)) {
    case 0: d = d.subarray(0, rnd(d.length)); break;
    case 1: for (let i = 0; i < 16; i++) d[rnd(d.length)] = rnd(256); break;
    default: {
      const i = rnd(d.length - 8);
      Buffer.from(['null ', '"x"  ', '[]   ', '{}   ', '99999', 'true ', '-1   '][rnd(7)]).copy(d, i);
    }
  }
  const f = path.join(work, 'fz.' + ext);
  fs.writeFileSync(f, d);
  run(f, ext, Buffer.from('Hello world, <s> 123 héllo\n'), ext === 'tiktoken' ? ['--pattern', 'r50k'] : []);
}
// texts: invalid UTF-8 and control bytes, strict and lossy
const good = path.join(tkdir, 'llama3.json');
for (let k = 0; k < 10; k++) {
  const t = Buffer.alloc(200 + rnd(2000));
  for (let i = 0; i < t.length; i++) t[i] = rnd(256);
  run(good, 'text', t, []);
  run(good, 'text', t, ['--invalid', 'replace', '--lines', '--format', 'json']);
}
fs.rmSync(work, { recursive: true, force: true });
console.log(`robust: ${runs - bad} passed, ${bad} failed`);
process.exit(bad ? 1 : 0);
