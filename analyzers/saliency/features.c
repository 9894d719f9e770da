/* Per-sequence features of an encoding: words, position in word, sentences, roles. */
#include "tok_saliency.h"

tok_status tok_saliency_features(const tok_saliency *s, const tok_encoding *e, const tok_role_span *roles, size_t nroles,
                                 tok_features *out)
{
    if (!e || !out || (e->n && (!e->ids || !e->offsets || !e->words))) return TOK_ERR_ARG;
    int32_t word = -1, prev_src = -2, sentence = 0;
    int pending_break = 0;
    size_t start = 0; /* first token of the current word */
    for (size_t i = 0; i < e->n; i++) {
        tok_features *f = &out[i];
        f->flags = tok_saliency_flags(s, e->ids[i]);
        int32_t src = e->words[i];
        int special = src < 0 || (e->special && e->special[i]);
        if (special) {
            f->word = -1;
            f->word_len = 1;
            f->pos_in_word = 0;
            prev_src = -2;
        } else {
            if (src != prev_src) {
                /* close the previous word */
                for (size_t j = start; j < i; j++)
                    if (out[j].word == word && word >= 0) out[j].word_len = (int32_t)(i - start);
                word++;
                start = i;
                prev_src = src;
                if (pending_break) {
                    sentence++;
                    pending_break = 0;
                }
            }
            f->word = word;
            f->pos_in_word = (int32_t)(i - start);
            f->word_len = 1;
        }
        f->sentence = sentence;
        if (f->flags & TOK_PRIOR_SEPARATOR) pending_break = 1;
        f->role = -1;
        for (size_t r = 0; r < nroles; r++)
            if (e->offsets[i].start >= roles[r].start && e->offsets[i].start < roles[r].end) {
                f->role = roles[r].role;
                break;
            }
    }
    for (size_t j = start; j < e->n; j++)
        if (out[j].word == word && word >= 0) out[j].word_len = (int32_t)(e->n - start);
    return TOK_OK;
}
