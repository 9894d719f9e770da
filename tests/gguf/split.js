// Split a llama.cpp tokenizer test input (texts separated by
// "\n__ggml_vocab_test__\n") into one file per text: OUTDIR/t0000.txt, ...
// Prints the number of texts.
const fs = require('fs');
const [inp, outdir] = process.argv.slice(2);
let parts = fs.readFileSync(inp).toString('utf8').split('\n__ggml_vocab_test__\n');
if (parts.length && parts[parts.length - 1] === '') parts.pop();
parts.forEach((t, i) => fs.writeFileSync(`${outdir}/t${String(i).padStart(4, '0')}.txt`, t));
console.log(parts.length);
