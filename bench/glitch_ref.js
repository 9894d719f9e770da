// The reference for the token-health pass: magikarp's loop (decode each id
// alone, re-encode without special tokens) through the HF tokenizers Node
// binding, one thread.  Prints {"ids":N,"seconds":S,"ok":K} (K ids that came back).
// node bench/glitch_ref.js NPM_DIR TOKENIZER_JSON
const path = require("path");
const { Tokenizer } = require(path.join(process.argv[2], "node_modules", "tokenizers"));
(async () => {
    const t = Tokenizer.fromFile(process.argv[3]);
    const n = t.getVocabSize(true);
    const t0 = process.hrtime.bigint();
    let ok = 0;
    for (let i = 0; i < n; i++) {
        const s = await t.decode([i], false);
        const e = await t.encode(s, null, { addSpecialTokens: false });
        const ids = e.getIds();
        if (ids.length === 1 && ids[0] === i) ok++;
    }
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(JSON.stringify({ ids: n, seconds: sec, ok }));
})();
