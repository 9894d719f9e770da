/* Load warnings: what HF accepts with a warning (added tokens whose id in
 * the file is not the one they get) is accepted here too and reported. */
#include "../internal.h"

#include <stdio.h>

void tok__warn(tok_tokenizer *t, const char *fmt, ...)
{
    if (t->warnings.n >= TOK__MAX_WARNINGS) {
        t->warnings_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int r = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (r < 0) return; /* out of memory: the warning is lost, the load goes on */
    if (tok_vec_push(&t->warnings, msg)) free(msg);
}

void tok__warn_finish(tok_tokenizer *t)
{
    if (!t->warnings_dropped) return;
    char *msg = NULL;
    if (asprintf(&msg, "%s: %zu more warnings like these", t->source, t->warnings_dropped) < 0) return;
    if (tok_vec_push(&t->warnings, msg)) free(msg);
    t->warnings_dropped = 0;
}

size_t tok_warning_count(const tok_tokenizer *t)
{
    return t ? t->warnings.n : 0;
}

const char *tok_warning(const tok_tokenizer *t, size_t i)
{
    return t && i < t->warnings.n ? t->warnings.v[i] : NULL;
}
