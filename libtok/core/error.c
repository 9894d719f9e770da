/* Error codes and messages. */
#include "../internal.h"

#include <stdio.h>

const char *tok_version(void) { return TOK_VERSION_STRING; }

const char *tok_strerror(tok_status code)
{
    switch (code) {
    case TOK_OK: return "success";
    case TOK_ERR_NOMEM: return "out of memory";
    case TOK_ERR_IO: return "cannot read file";
    case TOK_ERR_FORMAT: return "malformed input";
    case TOK_ERR_UNSUPPORTED: return "unsupported component or option";
    case TOK_ERR_ARG: return "invalid argument";
    case TOK_ERR_UTF8: return "invalid UTF-8";
    case TOK_ERR_RANGE: return "token id out of range";
    case TOK_ERR_BUFFER: return "buffer too small";
    case TOK_ERR_LIMIT: return "input too large";
    }
    return "unknown error";
}

tok_status tok__vfail(tok_error *e, tok_status code, const char *fmt, va_list ap)
{
    if (e) {
        e->code = code;
        vsnprintf(e->message, sizeof e->message, fmt, ap);
    }
    return code;
}

tok_status tok__fail(tok_error *e, tok_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tok__vfail(e, code, fmt, ap);
    va_end(ap);
    return code;
}
