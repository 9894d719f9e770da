/* Which methods a model runs natively (the others go through methods/). */
#include "../internal.h"

bool tok_method_is_native(const tok_tokenizer *t, tok_method m)
{
    switch (t->model->vt->kind) {
    case TOK_MODEL_BPE: return m == TOK_METHOD_MERGES;
    case TOK_MODEL_WORDPIECE: return m == TOK_METHOD_LONGEST_PREFIX;
    case TOK_MODEL_UNIGRAM: return m == TOK_METHOD_LIKELIHOOD || m == TOK_METHOD_SAMPLE;
    default: return false;
    }
}
