/* tok info: what a tokenizer is made of. */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char info_help[] =
    "Usage: tok info -t TOKENIZER [--json]\n"
    "Print the model type, vocabulary size, pipeline components and special tokens.\n"
    "With --json: one JSON object {source, model_type, vocab_size, added, special,\n"
    "pipeline: {normalizer, pre_tokenizer, model, post_processor, decoder} (each a\n"
    "JSON object as in tokenizer.json, {\"description\": ...} where libtok describes\n"
    "it in words, or null when absent), special_tokens: [{id, text}]}.\n";

static const char *const stage_names[] = { "normalizer", "pre_tokenizer", "model", "post_processor", "decoder" };

int cmd_info(int argc, char **argv)
{
    tok_open to;
    tok_open_init(&to);
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = tok_open_arg(&to, argc, argv, &i);
        if (r < 0) { usage_error("info", "bad or missing value for %s", a); return EXIT_USAGE; }
        if (r > 0) continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(info_help, stdout); return EXIT_OK; }
        if (!strcmp(a, "--json")) json = true;
        else { usage_error("info", "unknown argument %s", a); return EXIT_USAGE; }
    }
    tok_tokenizer *t = tok_open_load(&to);
    if (!t) return EXIT_RUNTIME;
    outbuf o;
    out_init(&o, stdout);
    size_t n = tok_vocab_size(t), nspecial = 0, nadded = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t f = tok_token_flags(t, (int32_t)i);
        if (f & TOK_TOKEN_NONE) continue;
        if (f & TOK_TOKEN_SPECIAL) nspecial++;
        if (f & TOK_TOKEN_ADDED) nadded++;
    }
    if (json) {
        out_str(&o, "{\"source\":");
        out_json_string(&o, tok_source(t), strlen(tok_source(t)));
        out_str(&o, ",\"model_type\":");
        out_json_string(&o, tok_model_name(t), strlen(tok_model_name(t)));
        out_str(&o, ",\"vocab_size\":");
        out_int(&o, (long long)n);
        out_str(&o, ",\"added\":");
        out_int(&o, (long long)nadded);
        out_str(&o, ",\"special\":");
        out_int(&o, (long long)nspecial);
        out_str(&o, ",\"pipeline\":{");
        for (int s = 0; s < 5; s++) {
            if (s) out_char(&o, ',');
            out_char(&o, '"');
            out_str(&o, stage_names[s]);
            out_str(&o, "\":");
            const char *d = tok_describe(t, (tok_stage)s);
            /* a stage described as JSON goes in as JSON, not as a string of it */
            json_t *j = strcmp(d, "none") ? json_loads(d, 0, NULL) : NULL;
            if (!strcmp(d, "none")) out_str(&o, "null");
            else if (j && (json_is_object(j) || json_is_array(j))) {
                char *txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
                if (txt) out_str(&o, txt);
                else out_str(&o, "null");
                free(txt);
            } else {
                out_str(&o, "{\"description\":");
                out_json_string(&o, d, strlen(d));
                out_char(&o, '}');
            }
            json_decref(j);
        }
        out_str(&o, "},\"special_tokens\":[");
    } else {
        out_str(&o, "source:          "); out_str(&o, tok_source(t)); out_char(&o, '\n');
        out_str(&o, "model:           "); out_str(&o, tok_model_name(t)); out_char(&o, '\n');
        out_str(&o, "vocab size:      "); out_int(&o, (long long)n);
        out_str(&o, " ("); out_int(&o, (long long)nadded); out_str(&o, " added, ");
        out_int(&o, (long long)nspecial); out_str(&o, " special)\n");
        for (int s = 0; s < 5; s++) {
            out_str(&o, stage_names[s]);
            for (size_t k = strlen(stage_names[s]); k < 16; k++) out_char(&o, ' ');
            out_char(&o, ' ');
            const char *d = tok_describe(t, (tok_stage)s);
            size_t dl = strlen(d);
            if (dl > 400) { /* keep the overview short: --json has it whole */
                dl = 396;
                while (dl && ((unsigned char)d[dl] & 0xC0) == 0x80) dl--;
            }
            out_put(&o, d, dl);
            if (dl < strlen(d)) out_str(&o, "...");
            out_char(&o, '\n');
        }
        out_str(&o, "special tokens:");
    }
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t f = tok_token_flags(t, (int32_t)i);
        if ((f & TOK_TOKEN_NONE) || !(f & TOK_TOKEN_SPECIAL)) continue;
        size_t len;
        const char *s = tok_token_text(t, (int32_t)i, &len);
        if (json) {
            if (shown) out_char(&o, ',');
            out_str(&o, "{\"id\":"); out_int(&o, (long long)i); out_str(&o, ",\"text\":");
            out_json_string(&o, s, len);
            out_char(&o, '}');
        } else if (shown < 20) {
            out_char(&o, ' ');
            out_put(&o, s, len);
            out_char(&o, '=');
            out_int(&o, (long long)i);
        }
        shown++;
    }
    if (json) out_str(&o, "]}\n");
    else {
        if (shown > 20) { out_str(&o, " ... ("); out_int(&o, (long long)shown); out_str(&o, " in all)"); }
        out_char(&o, '\n');
    }
    int rc = out_flush(&o) ? EXIT_RUNTIME : EXIT_OK;
    tok_free(t);
    return rc;
}
