// Compare the models of two tokenizer.json files: vocabulary (token -> id)
// and merges, in order.  Prints the first differences; exit 1 if any.
// node cmp_model.js A.json B.json
const fs = require('fs');
const [a, b] = process.argv.slice(2).map(f => JSON.parse(fs.readFileSync(f, 'utf8')).model);
let bad = 0;
const say = s => { if (bad++ < 10) console.log(s); };
if (a.type !== b.type) say(`type ${a.type} vs ${b.type}`);
const va = a.vocab, vb = b.vocab;
const ka = Array.isArray(va) ? va.map(x => x[0]) : Object.keys(va);
const kb = Array.isArray(vb) ? vb.map(x => x[0]) : Object.keys(vb);
if (ka.length !== kb.length) say(`vocab size ${ka.length} vs ${kb.length}`);
if (!Array.isArray(va)) {
  for (const k of ka) if (va[k] !== vb[k]) say(`vocab ${JSON.stringify(k)}: ${va[k]} vs ${vb[k]}`);
  for (const k of kb) if (!(k in va)) say(`vocab ${JSON.stringify(k)}: missing vs ${vb[k]}`);
}
const ma = a.merges || [], mb = b.merges || [];
const norm = m => (typeof m === 'string' ? m : m.join(' '));
if (ma.length !== mb.length) say(`merges ${ma.length} vs ${mb.length}`);
for (let i = 0; i < Math.min(ma.length, mb.length); i++)
  if (norm(ma[i]) !== norm(mb[i])) { say(`merge ${i}: ${JSON.stringify(ma[i])} vs ${JSON.stringify(mb[i])}`); }
if (bad) { console.log(`${bad} differences`); process.exit(1); }
console.log(`identical: ${ka.length} tokens, ${ma.length} merges`);
