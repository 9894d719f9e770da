/* Which fused lane (lane.h) fits a tokenizer, tried family by family. */
#include "lane.h"

tok_status tok__lane_pick(tok_tokenizer *t, tok_error *err)
{
    int r = tok__lane_bert(t);
    if (r == 0) r = tok__lane_spm(t);
    if (r < 0) return tok__fail(err, TOK_ERR_NOMEM, "out of memory preparing the encode lane");
    return TOK_OK;
}
