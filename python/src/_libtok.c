/*
 * _libtok: the CPython binding of libtok (the C API of libtok/tok.h).  Plain
 * C against the CPython API, no generator.  Encoding releases the GIL; every
 * call borrows a context from a small per-tokenizer pool, so Python threads
 * can encode with one tokenizer at once.  Ids and offsets come back as bytes
 * of int32/uint32 that the Python layer views as array('i') or numpy without
 * a Python object per token.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <libtok/tok.h>
/* libtok's own modules, as laid out in the tree (and under include/libtok/) */
#include "analyzers/glitch/tok_glitch.h"
#include "analyzers/lang/tok_lang.h"
#include "vocab/tok_train.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define POOL 16

typedef struct {
    PyObject_HEAD
    tok_tokenizer *t;
    pthread_mutex_t lock;
    tok_ctx *ctx[POOL];
    int nctx;
    tok_batch *batch[POOL];
    int nbatch;
} TokObject;

static PyObject *TokError;

static tok_ctx *ctx_get(TokObject *self)
{
    tok_ctx *c = NULL;
    pthread_mutex_lock(&self->lock);
    if (self->nctx) c = self->ctx[--self->nctx];
    pthread_mutex_unlock(&self->lock);
    if (!c) c = tok_ctx_new(self->t);
    if (!c) PyErr_NoMemory();
    return c;
}

static void ctx_put(TokObject *self, tok_ctx *c)
{
    pthread_mutex_lock(&self->lock);
    if (self->nctx < POOL) {
        self->ctx[self->nctx++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&self->lock);
    tok_ctx_free(c);
}

static tok_batch *batch_get(TokObject *self)
{
    tok_batch *b = NULL;
    pthread_mutex_lock(&self->lock);
    if (self->nbatch) b = self->batch[--self->nbatch];
    pthread_mutex_unlock(&self->lock);
    if (!b) b = tok_batch_new(self->t);
    if (!b) PyErr_NoMemory();
    return b;
}

static void batch_put(TokObject *self, tok_batch *b)
{
    pthread_mutex_lock(&self->lock);
    if (self->nbatch < POOL) {
        self->batch[self->nbatch++] = b;
        b = NULL;
    }
    pthread_mutex_unlock(&self->lock);
    tok_batch_free(b);
}

static int Tok_init(TokObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "path", "tiktoken_pattern", "ties", NULL };
    const char *path, *pattern = NULL, *ties = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|zz", kwlist, &path, &pattern, &ties)) return -1;
    if (self->t) {
        PyErr_SetString(PyExc_RuntimeError, "already initialised");
        return -1;
    }
    char resolved[4096];
    if (tok_resolve(path, resolved, sizeof resolved) != TOK_OK) {
        PyErr_Format(PyExc_FileNotFoundError, "no tokenizer file or built-in name '%s' "
                     "(searched $TOK_DATA_PATH, the installed data and the fetch cache)", path);
        return -1;
    }
    tok_load_options o;
    tok_load_options_init(&o);
    o.tiktoken_pattern = pattern;
    if (ties) {
        if (!strcmp(ties, "hf")) o.unigram_ties = TOK_TIES_HF;
        else if (!strcmp(ties, "spm")) o.unigram_ties = TOK_TIES_SPM;
        else {
            PyErr_SetString(PyExc_ValueError, "ties must be 'hf' or 'spm'");
            return -1;
        }
    }
    tok_error err = { 0 };
    tok_tokenizer *t;
    Py_BEGIN_ALLOW_THREADS
    t = tok_load(resolved, &o, &err);
    Py_END_ALLOW_THREADS
    if (!t) {
        PyErr_SetString(err.code == TOK_ERR_IO ? PyExc_OSError : PyExc_ValueError, err.message);
        return -1;
    }
    self->t = t;
    pthread_mutex_init(&self->lock, NULL);
    return 0;
}

static void Tok_dealloc(TokObject *self)
{
    if (self->t) {
        for (int i = 0; i < self->nctx; i++) tok_ctx_free(self->ctx[i]);
        for (int i = 0; i < self->nbatch; i++) tok_batch_free(self->batch[i]);
        tok_free(self->t);
        pthread_mutex_destroy(&self->lock);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

#define NEED_T(self)                                                        \
    do {                                                                    \
        if (!(self)->t) {                                                   \
            PyErr_SetString(PyExc_RuntimeError, "tokenizer not loaded");    \
            return NULL;                                                    \
        }                                                                   \
    } while (0)

/* UTF-8 view of a str (cached by CPython) or bytes-like; *keep holds it. */
static const char *text_of(PyObject *o, Py_ssize_t *len, PyObject **keep)
{
    *keep = NULL;
    if (PyUnicode_Check(o)) {
        const char *s = PyUnicode_AsUTF8AndSize(o, len);
        if (!s) {
            /* lone surrogates: tiktoken/HF encode them as U+FFFD */
            PyErr_Clear();
            PyObject *b = PyUnicode_AsEncodedString(o, "utf-8", "replace");
            if (!b) return NULL;
            *keep = b;
            *len = PyBytes_GET_SIZE(b);
            return PyBytes_AS_STRING(b);
        }
        Py_INCREF(o);
        *keep = o;
        return s;
    }
    if (PyBytes_Check(o)) {
        Py_INCREF(o);
        *keep = o;
        *len = PyBytes_GET_SIZE(o);
        return PyBytes_AS_STRING(o);
    }
    PyErr_Format(PyExc_TypeError, "text must be str or bytes, not %.100s", Py_TYPE(o)->tp_name);
    return NULL;
}

/* Wanted parts of an encoding. */
enum { W_IDS = 1, W_OFFSETS = 2, W_CHAR_OFFSETS = 4, W_WORDS = 8, W_TYPES = 16, W_SPECIAL = 32 };

/* Byte offsets -> code point offsets (HF reports offsets in characters). */
static PyObject *char_offsets(const char *s, size_t len, const tok_offset *off, size_t n)
{
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * 2 * sizeof(uint32_t)));
    if (!out) return NULL;
    uint32_t *o = (uint32_t *)PyBytes_AS_STRING(out);
    /* offsets are mostly increasing: walk forward, restart when they go back */
    size_t bpos = 0, cpos = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        size_t want = i & 1 ? off[i / 2].end : off[i / 2].start;
        if (want > len) want = len;
        if (want < bpos) bpos = cpos = 0;
        while (bpos < want) {
            if (((unsigned char)s[bpos] & 0xC0) != 0x80) cpos++;
            bpos++;
        }
        /* a byte offset inside a character counts the character as started */
        o[i] = (uint32_t)cpos;
    }
    return out;
}

static PyObject *encoding_tuple(const tok_encoding *e, int want, const char *s, size_t len)
{
    PyObject *ids = NULL, *off = NULL, *words = NULL, *types = NULL, *spec = NULL;
    ids = PyBytes_FromStringAndSize((const char *)e->ids, (Py_ssize_t)(e->n * sizeof(int32_t)));
    if (!ids) goto fail;
    if (want & W_CHAR_OFFSETS) {
        if (!(off = char_offsets(s, len, e->offsets, e->n))) goto fail;
    } else if ((want & W_OFFSETS) && e->offsets) {
        if (!(off = PyBytes_FromStringAndSize((const char *)e->offsets, (Py_ssize_t)(e->n * sizeof(tok_offset))))) goto fail;
    } else {
        off = Py_None;
        Py_INCREF(off);
    }
    if (want & W_WORDS) {
        if (!(words = PyBytes_FromStringAndSize((const char *)e->words, (Py_ssize_t)(e->n * sizeof(int32_t))))) goto fail;
    } else {
        words = Py_None;
        Py_INCREF(words);
    }
    if (want & W_TYPES) {
        if (!(types = PyBytes_FromStringAndSize((const char *)e->type_ids, (Py_ssize_t)e->n))) goto fail;
    } else {
        types = Py_None;
        Py_INCREF(types);
    }
    if (want & W_SPECIAL) {
        if (!(spec = PyBytes_FromStringAndSize((const char *)e->special, (Py_ssize_t)e->n))) goto fail;
    } else {
        spec = Py_None;
        Py_INCREF(spec);
    }
    return Py_BuildValue("(NNNNN)", ids, off, words, types, spec);
fail:
    Py_XDECREF(ids);
    Py_XDECREF(off);
    Py_XDECREF(words);
    Py_XDECREF(types);
    Py_XDECREF(spec);
    return NULL;
}

static int fill_options(tok_encode_options *o, unsigned flags, int method, unsigned long long seed)
{
    tok_encode_options_init(o);
    o->flags = flags;
    if (method < 0 || method > TOK_METHOD_SAMPLE) {
        PyErr_SetString(PyExc_ValueError, "unknown method");
        return -1;
    }
    o->method = (tok_method)method;
    o->seed = seed;
    return 0;
}

static PyObject *raise_ctx(tok_status st, const char *msg)
{
    PyErr_SetString(st == TOK_ERR_UTF8 || st == TOK_ERR_ARG || st == TOK_ERR_RANGE ? PyExc_ValueError : TokError, msg);
    return NULL;
}

/* encode(text, flags, method=0, want=W_IDS, seed=0, pair=None) -> tuple of bytes */
static PyObject *Tok_encode(TokObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "text", "flags", "method", "want", "seed", "pair", NULL };
    PyObject *text, *pair = Py_None;
    unsigned flags;
    int method = 0, want = W_IDS;
    unsigned long long seed = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OI|iiKO", kwlist, &text, &flags, &method, &want, &seed, &pair)) return NULL;
    NEED_T(self);
    Py_ssize_t len, plen = 0;
    PyObject *keep, *pkeep = NULL;
    const char *s = text_of(text, &len, &keep), *p = NULL;
    if (!s) return NULL;
    if (pair != Py_None && !(p = text_of(pair, &plen, &pkeep))) {
        Py_DECREF(keep);
        return NULL;
    }
    tok_encode_options o;
    if (want & (W_OFFSETS | W_CHAR_OFFSETS)) flags |= TOK_ENC_OFFSETS;
    if (fill_options(&o, flags, method, seed)) {
        Py_DECREF(keep);
        Py_XDECREF(pkeep);
        return NULL;
    }
    tok_ctx *c = ctx_get(self);
    if (!c) {
        Py_DECREF(keep);
        Py_XDECREF(pkeep);
        return NULL;
    }
    tok_encoding e;
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    if (p) st = tok_encode_pair(c, s, (size_t)len, p, (size_t)plen, &o, &e);
    else st = tok_encode(c, s, (size_t)len, &o, &e);
    Py_END_ALLOW_THREADS
    PyObject *r;
    if (st) r = raise_ctx(st, tok_ctx_error(c));
    else if (p && (want & W_CHAR_OFFSETS)) {
        /* pair offsets refer to their own sequence: convert each side */
        r = encoding_tuple(&e, want & ~W_CHAR_OFFSETS, s, (size_t)len);
        if (r) {
            PyObject *co = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(e.n * 2 * sizeof(uint32_t)));
            if (!co) {
                Py_DECREF(r);
                r = NULL;
            } else {
                uint32_t *dst = (uint32_t *)PyBytes_AS_STRING(co);
                for (size_t i = 0; i < e.n; i++) {
                    const char *base = e.type_ids[i] ? p : s;
                    size_t bl = e.type_ids[i] ? (size_t)plen : (size_t)len;
                    PyObject *one = char_offsets(base, bl, &e.offsets[i], 1);
                    if (!one) break;
                    memcpy(dst + 2 * i, PyBytes_AS_STRING(one), 2 * sizeof(uint32_t));
                    Py_DECREF(one);
                }
                PyTuple_SetItem(r, 1, co);
            }
        }
    } else r = encoding_tuple(&e, want, s, (size_t)len);
    ctx_put(self, c);
    Py_DECREF(keep);
    Py_XDECREF(pkeep);
    return r;
}

/* encode_batch(texts, flags, method=0, want=W_IDS, threads=1) -> list of tuples */
static PyObject *Tok_encode_batch(TokObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "texts", "flags", "method", "want", "threads", NULL };
    PyObject *seq;
    unsigned flags;
    int method = 0, want = W_IDS, threads = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OI|iii", kwlist, &seq, &flags, &method, &want, &threads)) return NULL;
    NEED_T(self);
    PyObject *fast = PySequence_Fast(seq, "texts must be a sequence");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    const char **texts = PyMem_Calloc((size_t)n + 1, sizeof *texts);
    size_t *lens = PyMem_Calloc((size_t)n + 1, sizeof *lens);
    PyObject **keeps = PyMem_Calloc((size_t)n + 1, sizeof *keeps);
    PyObject *result = NULL;
    tok_batch *b = NULL;
    if (!texts || !lens || !keeps) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t l;
        if (!(texts[i] = text_of(PySequence_Fast_GET_ITEM(fast, i), &l, &keeps[i]))) goto out;
        lens[i] = (size_t)l;
    }
    tok_encode_options o;
    if (want & (W_OFFSETS | W_CHAR_OFFSETS)) flags |= TOK_ENC_OFFSETS;
    if (fill_options(&o, flags, method, 0)) goto out;
    if (!(b = batch_get(self))) goto out;
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = tok_encode_batch(b, texts, lens, (size_t)n, &o, threads);
    Py_END_ALLOW_THREADS
    if (st) {
        raise_ctx(st, tok_batch_error(b));
        goto out;
    }
    if (!(result = PyList_New(n))) goto out;
    for (Py_ssize_t i = 0; i < n; i++) {
        tok_encoding e;
        tok_batch_get(b, (size_t)i, &e);
        PyObject *tup = encoding_tuple(&e, want, texts[i], lens[i]);
        if (!tup) {
            Py_CLEAR(result);
            goto out;
        }
        PyList_SET_ITEM(result, i, tup);
    }
out:
    if (b) batch_put(self, b);
    if (keeps)
        for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(keeps[i]);
    PyMem_Free(texts);
    PyMem_Free(lens);
    PyMem_Free(keeps);
    Py_DECREF(fast);
    return result;
}

/* Ids from a sequence of ints or a buffer of int32. */
static int32_t *ids_of(PyObject *o, size_t *n)
{
    Py_buffer view;
    if (PyObject_CheckBuffer(o) && !PyObject_GetBuffer(o, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)) {
        int32_t *ids = NULL;
        if (view.itemsize == 4 && view.format && strchr("iIlL", view.format[strlen(view.format) - 1])) {
            *n = (size_t)(view.len / 4);
            ids = PyMem_Malloc(*n * 4 + 4);
            if (ids) memcpy(ids, view.buf, *n * 4);
            else PyErr_NoMemory();
            PyBuffer_Release(&view);
            return ids;
        }
        if (view.itemsize == 8 && view.format && strchr("qQlL", view.format[strlen(view.format) - 1])) {
            *n = (size_t)(view.len / 8);
            ids = PyMem_Malloc(*n * 4 + 4);
            if (!ids) PyErr_NoMemory();
            else
                for (size_t i = 0; i < *n; i++) {
                    int64_t v = ((const int64_t *)view.buf)[i];
                    if (v < INT32_MIN || v > INT32_MAX) {
                        PyErr_Format(PyExc_ValueError, "token id %lld out of range", (long long)v);
                        PyMem_Free(ids);
                        ids = NULL;
                        break;
                    }
                    ids[i] = (int32_t)v;
                }
            PyBuffer_Release(&view);
            return ids;
        }
        PyBuffer_Release(&view);
    }
    PyErr_Clear();
    PyObject *fast = PySequence_Fast(o, "token ids must be a sequence of integers");
    if (!fast) return NULL;
    Py_ssize_t m = PySequence_Fast_GET_SIZE(fast);
    int32_t *ids = PyMem_Malloc((size_t)m * 4 + 4);
    if (!ids) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < m; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, i));
        if (v == -1 && PyErr_Occurred()) {
            PyMem_Free(ids);
            Py_DECREF(fast);
            return NULL;
        }
        if (v < INT32_MIN || v > INT32_MAX) {
            PyErr_Format(PyExc_ValueError, "token id %ld out of range", v);
            PyMem_Free(ids);
            Py_DECREF(fast);
            return NULL;
        }
        ids[i] = (int32_t)v;
    }
    *n = (size_t)m;
    Py_DECREF(fast);
    return ids;
}

/* decode(ids, flags=0, as_bytes=False) -> str (invalid UTF-8 as U+FFFD) or bytes */
static PyObject *Tok_decode(TokObject *self, PyObject *args)
{
    PyObject *o;
    unsigned flags = 0;
    int as_bytes = 0;
    if (!PyArg_ParseTuple(args, "O|Ip", &o, &flags, &as_bytes)) return NULL;
    NEED_T(self);
    size_t n;
    int32_t *ids = ids_of(o, &n);
    if (!ids) return NULL;
    PyObject *r = NULL;
    if (as_bytes) {
        /* the tokens' raw bytes, concatenated (tiktoken decode_bytes) */
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            size_t l;
            if (!tok_token_bytes(self->t, ids[i], &l)) {
                PyErr_Format(PyExc_KeyError, "no token with id %d", ids[i]);
                PyMem_Free(ids);
                return NULL;
            }
            total += l;
        }
        if ((r = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total))) {
            char *d = PyBytes_AS_STRING(r);
            for (size_t i = 0; i < n; i++) {
                size_t l;
                const uint8_t *b = tok_token_bytes(self->t, ids[i], &l);
                memcpy(d, b, l);
                d += l;
            }
        }
        PyMem_Free(ids);
        return r;
    }
    tok_ctx *c = ctx_get(self);
    if (!c) {
        PyMem_Free(ids);
        return NULL;
    }
    const char *s;
    size_t len;
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = tok_decode(c, ids, n, flags, &s, &len);
    Py_END_ALLOW_THREADS
    if (st) {
        if (st == TOK_ERR_RANGE) PyErr_SetString(PyExc_KeyError, tok_ctx_error(c));
        else raise_ctx(st, tok_ctx_error(c));
    } else r = PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "replace");
    ctx_put(self, c);
    PyMem_Free(ids);
    return r;
}

/* decode_batch(list_of_ids, flags=0, threads=1) -> list of str */
static PyObject *Tok_decode_batch(TokObject *self, PyObject *args)
{
    PyObject *seq;
    unsigned flags = 0;
    int threads = 1;
    if (!PyArg_ParseTuple(args, "O|Ii", &seq, &flags, &threads)) return NULL;
    NEED_T(self);
    PyObject *fast = PySequence_Fast(seq, "expected a sequence of id sequences");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    int32_t **ids = PyMem_Calloc((size_t)n + 1, sizeof *ids);
    size_t *ns = PyMem_Calloc((size_t)n + 1, sizeof *ns);
    PyObject *result = NULL;
    tok_batch *b = NULL;
    if (!ids || !ns) {
        PyErr_NoMemory();
        goto out;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!(ids[i] = ids_of(PySequence_Fast_GET_ITEM(fast, i), &ns[i]))) goto out;
    if (!(b = batch_get(self))) goto out;
    tok_status st;
    Py_BEGIN_ALLOW_THREADS
    st = tok_decode_batch(b, (const int32_t *const *)ids, ns, (size_t)n, flags, threads);
    Py_END_ALLOW_THREADS
    if (st) {
        if (st == TOK_ERR_RANGE) PyErr_SetString(PyExc_KeyError, tok_batch_error(b));
        else raise_ctx(st, tok_batch_error(b));
        goto out;
    }
    if (!(result = PyList_New(n))) goto out;
    for (Py_ssize_t i = 0; i < n; i++) {
        size_t l;
        const char *s = tok_batch_text(b, (size_t)i, &l);
        PyObject *u = PyUnicode_DecodeUTF8(s, (Py_ssize_t)l, "replace");
        if (!u) {
            Py_CLEAR(result);
            goto out;
        }
        PyList_SET_ITEM(result, i, u);
    }
out:
    if (b) batch_put(self, b);
    if (ids)
        for (Py_ssize_t i = 0; i < n; i++) PyMem_Free(ids[i]);
    PyMem_Free(ids);
    PyMem_Free(ns);
    Py_DECREF(fast);
    return result;
}

static PyObject *Tok_token_bytes(TokObject *self, PyObject *arg)
{
    NEED_T(self);
    long id = PyLong_AsLong(arg);
    if (id == -1 && PyErr_Occurred()) return NULL;
    size_t l;
    const uint8_t *b = id < INT32_MIN || id > INT32_MAX ? NULL : tok_token_bytes(self->t, (int32_t)id, &l);
    if (!b) {
        PyErr_Format(PyExc_KeyError, "no token with id %ld", id);
        return NULL;
    }
    return PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)l);
}

static PyObject *Tok_token_text(TokObject *self, PyObject *arg)
{
    NEED_T(self);
    long id = PyLong_AsLong(arg);
    if (id == -1 && PyErr_Occurred()) return NULL;
    size_t l;
    const char *s = id < INT32_MIN || id > INT32_MAX ? NULL : tok_token_text(self->t, (int32_t)id, &l);
    if (!s) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)l, "surrogateescape");
}

static PyObject *Tok_token_id(TokObject *self, PyObject *arg)
{
    NEED_T(self);
    Py_ssize_t l;
    PyObject *keep;
    const char *s = text_of(arg, &l, &keep);
    if (!s) return NULL;
    int32_t id = tok_token_id(self->t, s, (size_t)l);
    Py_DECREF(keep);
    if (id < 0) Py_RETURN_NONE;
    return PyLong_FromLong(id);
}

static PyObject *Tok_token_flags(TokObject *self, PyObject *arg)
{
    NEED_T(self);
    long id = PyLong_AsLong(arg);
    if (id == -1 && PyErr_Occurred()) return NULL;
    if (id < INT32_MIN || id > INT32_MAX) return PyLong_FromUnsignedLong(TOK_TOKEN_NONE);
    return PyLong_FromUnsignedLong(tok_token_flags(self->t, (int32_t)id));
}

/* vocab(with_added=True) -> dict token text -> id */
static PyObject *Tok_vocab(TokObject *self, PyObject *args)
{
    int with_added = 1;
    if (!PyArg_ParseTuple(args, "|p", &with_added)) return NULL;
    NEED_T(self);
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    size_t V = tok_vocab_size(self->t);
    for (size_t i = 0; i < V; i++) {
        uint32_t f = tok_token_flags(self->t, (int32_t)i);
        if (f & TOK_TOKEN_NONE) continue;
        if (!with_added && (f & TOK_TOKEN_ADDED)) continue;
        size_t l;
        const char *s = tok_token_text(self->t, (int32_t)i, &l);
        PyObject *k = PyUnicode_DecodeUTF8(s, (Py_ssize_t)l, "surrogateescape");
        PyObject *v = PyLong_FromSize_t(i);
        if (!k || !v || PyDict_SetItem(d, k, v)) {
            Py_XDECREF(k);
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(k);
        Py_DECREF(v);
    }
    return d;
}

/* specials() -> list of (id, text) of special and added tokens */
static PyObject *Tok_specials(TokObject *self, PyObject *unused)
{
    NEED_T(self);
    PyObject *l = PyList_New(0);
    if (!l) return NULL;
    size_t V = tok_vocab_size(self->t);
    for (size_t i = 0; i < V; i++) {
        uint32_t f = tok_token_flags(self->t, (int32_t)i);
        if ((f & TOK_TOKEN_NONE) || !(f & (TOK_TOKEN_SPECIAL | TOK_TOKEN_ADDED))) continue;
        size_t n;
        const char *s = tok_token_text(self->t, (int32_t)i, &n);
        PyObject *t = Py_BuildValue("(ns#I)", (Py_ssize_t)i, s, (Py_ssize_t)n, f);
        if (!t || PyList_Append(l, t)) {
            Py_XDECREF(t);
            Py_DECREF(l);
            return NULL;
        }
        Py_DECREF(t);
    }
    return l;
}

static PyObject *Tok_vocab_size(TokObject *self, void *c)
{
    NEED_T(self);
    return PyLong_FromSize_t(tok_vocab_size(self->t));
}

static PyObject *Tok_model(TokObject *self, void *c)
{
    NEED_T(self);
    return PyUnicode_FromString(tok_model_name(self->t));
}

static PyObject *Tok_source(TokObject *self, void *c)
{
    NEED_T(self);
    return PyUnicode_FromString(tok_source(self->t));
}

static PyObject *Tok_role_id(TokObject *self, PyObject *arg)
{
    NEED_T(self);
    long r = PyLong_AsLong(arg);
    if (r == -1 && PyErr_Occurred()) return NULL;
    int32_t id = tok_role_id(self->t, (tok_role)r);
    if (id < 0) Py_RETURN_NONE;
    return PyLong_FromLong(id);
}

static PyObject *Tok_describe(TokObject *self, PyObject *arg)
{
    NEED_T(self);
    long st = PyLong_AsLong(arg);
    if (st == -1 && PyErr_Occurred()) return NULL;
    if (st < TOK_STAGE_NORMALIZER || st > TOK_STAGE_DECODER) {
        PyErr_SetString(PyExc_ValueError, "unknown stage");
        return NULL;
    }
    return PyUnicode_FromString(tok_describe(self->t, (tok_stage)st));
}

/* glitch(meaningless=False) -> (counts dict, category name of every id) */
static PyObject *Tok_glitch(TokObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "meaningless", NULL };
    int meaningless = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|p", kwlist, &meaningless)) return NULL;
    NEED_T(self);
    tok_glitch_options o;
    tok_glitch_options_init(&o);
    o.meaningless = meaningless;
    tok_error err = { 0 };
    tok_glitch *g;
    Py_BEGIN_ALLOW_THREADS
    g = tok_glitch_analyze(self->t, &o, &err);
    Py_END_ALLOW_THREADS
    if (!g) return raise_ctx(err.code, err.message);
    const tok_glitch_counts *c = tok_glitch_get_counts(g);
    PyObject *counts = Py_BuildValue("{s:n,s:n,s:n,s:n,s:n}", "vocab", (Py_ssize_t)c->vocab, "bytes", (Py_ssize_t)c->bytes,
                                     "unreachable", (Py_ssize_t)c->unreachable, "partial_utf8", (Py_ssize_t)c->partial_utf8,
                                     "special", (Py_ssize_t)c->special);
    size_t n = tok_glitch_size(g);
    PyObject *cats = PyList_New((Py_ssize_t)n);
    PyObject *names[TOK_GLITCH_NCATEGORIES] = { NULL };
    for (int k = 0; k < TOK_GLITCH_NCATEGORIES && counts && cats; k++)
        if (!(names[k] = PyUnicode_FromString(tok_glitch_category_name((tok_glitch_category)k)))) Py_CLEAR(cats);
    for (size_t i = 0; i < n && counts && cats; i++) {
        const tok_glitch_token *tk = tok_glitch_get(g, (int32_t)i);
        PyObject *v = tk && tk->category < TOK_GLITCH_NCATEGORIES ? names[tk->category] : Py_None;
        Py_INCREF(v);
        PyList_SET_ITEM(cats, (Py_ssize_t)i, v);
    }
    for (int k = 0; k < TOK_GLITCH_NCATEGORIES; k++) Py_XDECREF(names[k]);
    tok_glitch_free(g);
    if (!counts || !cats) {
        Py_XDECREF(counts);
        Py_XDECREF(cats);
        return NULL;
    }
    return Py_BuildValue("(NN)", counts, cats);
}

/* lang_counts([(lang, text), ...], uax29=False) -> [dict per language] */
static PyObject *Tok_lang_counts(TokObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "units", "uax29", NULL };
    PyObject *seq;
    int uax29 = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p", kwlist, &seq, &uax29)) return NULL;
    NEED_T(self);
    PyObject *fast = PySequence_Fast(seq, "units must be a sequence of (lang, text) pairs");
    if (!fast) return NULL;
    tok_lang_options o;
    tok_lang_options_init(&o);
    o.words = uax29 ? TOK_WORDS_UAX29 : TOK_WORDS_WHITESPACE;
    tok_error err = { 0 };
    tok_lang *a = tok_lang_new(self->t, &o, &err);
    tok_ctx *c = a ? ctx_get(self) : NULL;
    PyObject *out = NULL;
    if (!a) {
        raise_ctx(err.code, err.message);
        goto done;
    }
    if (!c) goto done;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
        const char *lang, *text;
        Py_ssize_t len;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i), "ss#", &lang, &text, &len)) goto done;
        tok_status st;
        Py_BEGIN_ALLOW_THREADS
        st = tok_lang_add(a, c, lang, text, (size_t)len);
        Py_END_ALLOW_THREADS
        if (st) {
            raise_ctx(st, tok_ctx_error(c));
            goto done;
        }
    }
    if (!(out = PyList_New(0))) goto done;
    for (size_t i = 0; i < tok_lang_count(a); i++) {
        tok_lang_counts k;
        tok_lang_get(a, i, &k);
        PyObject *d = Py_BuildValue("{s:s,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K}", "lang", k.lang,
                                    "units", (unsigned long long)k.units, "bytes", (unsigned long long)k.bytes,
                                    "chars", (unsigned long long)k.chars, "tokens", (unsigned long long)k.tokens,
                                    "words", (unsigned long long)k.words, "word_tokens", (unsigned long long)k.word_tokens,
                                    "continued_words", (unsigned long long)k.cont_words,
                                    "isolated_tokens", (unsigned long long)k.iso_tokens,
                                    "unk", (unsigned long long)k.unk, "byte_tokens", (unsigned long long)k.byte_tokens,
                                    "distinct_ids", (unsigned long long)k.distinct_ids);
        if (!d || PyList_Append(out, d)) {
            Py_XDECREF(d);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(d);
    }
done:
    if (c) ctx_put(self, c);
    tok_lang_free(a);
    Py_DECREF(fast);
    return out;
}

static PyMethodDef Tok_methods[] = {
    { "glitch", (PyCFunction)(void (*)(void))Tok_glitch, METH_VARARGS | METH_KEYWORDS,
      "glitch(meaningless=False) -> (counts, category of every id) as magikarp categorises them" },
    { "lang_counts", (PyCFunction)(void (*)(void))Tok_lang_counts, METH_VARARGS | METH_KEYWORDS,
      "lang_counts([(lang, text), ...], uax29=False) -> per-language counts (tokens, bytes, words...)" },
    { "encode", (PyCFunction)(void (*)(void))Tok_encode, METH_VARARGS | METH_KEYWORDS,
      "encode(text, flags, method=0, want=1, seed=0, pair=None) -> (ids, offsets, words, type_ids, special) as bytes or None" },
    { "encode_batch", (PyCFunction)(void (*)(void))Tok_encode_batch, METH_VARARGS | METH_KEYWORDS,
      "encode_batch(texts, flags, method=0, want=1, threads=1) -> list of encode() tuples" },
    { "decode", (PyCFunction)Tok_decode, METH_VARARGS, "decode(ids, flags=0, as_bytes=False) -> str or bytes" },
    { "decode_batch", (PyCFunction)Tok_decode_batch, METH_VARARGS, "decode_batch(list_of_ids, flags=0, threads=1) -> list of str" },
    { "token_bytes", (PyCFunction)Tok_token_bytes, METH_O, "raw bytes of a token" },
    { "token_text", (PyCFunction)Tok_token_text, METH_O, "the token as written in the file, or None" },
    { "token_id", (PyCFunction)Tok_token_id, METH_O, "id of a token as written in the file, or None" },
    { "token_flags", (PyCFunction)Tok_token_flags, METH_O, "TOK_TOKEN_* flags of an id" },
    { "vocab", (PyCFunction)Tok_vocab, METH_VARARGS, "vocab(with_added=True) -> dict" },
    { "specials", (PyCFunction)Tok_specials, METH_NOARGS, "[(id, text, flags)] of special and added tokens" },
    { "role_id", (PyCFunction)Tok_role_id, METH_O, "id of a role (TOK_ROLE_*) or None" },
    { "describe", (PyCFunction)Tok_describe, METH_O, "description of a pipeline stage" },
    { NULL, NULL, 0, NULL }
};

static PyGetSetDef Tok_getset[] = {
    { "vocab_size", (getter)Tok_vocab_size, NULL, "number of ids", NULL },
    { "model", (getter)Tok_model, NULL, "model type name", NULL },
    { "source", (getter)Tok_source, NULL, "file the tokenizer came from", NULL },
    { NULL, NULL, NULL, NULL, NULL }
};

static PyTypeObject TokType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "libtok._libtok.Tok",
    .tp_basicsize = sizeof(TokObject),
    .tp_dealloc = (destructor)Tok_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "A loaded libtok tokenizer (immutable; safe to share across threads).",
    .tp_methods = Tok_methods,
    .tp_getset = Tok_getset,
    .tp_init = (initproc)Tok_init,
    .tp_new = PyType_GenericNew,
};

static PyObject *mod_method_from_name(PyObject *m, PyObject *arg)
{
    const char *s = PyUnicode_AsUTF8(arg);
    if (!s) return NULL;
    int r = tok_method_from_name(s);
    if (r < 0) {
        PyErr_Format(PyExc_ValueError, "unknown method '%s' (merges, longest-prefix, longest-suffix, "
                     "longest-token, least-tokens, likelihood, sample)", s);
        return NULL;
    }
    return PyLong_FromLong(r);
}

/* train(texts, model, vocab_size, out, pre="bytelevel", like=None,
 *       min_frequency=0, special=()) -> None: counts the texts behind the
 * template, trains and writes OUT (.json, .model or .tokpack by its name). */
static PyObject *mod_train(PyObject *m, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = { "texts", "model", "vocab_size", "out", "pre", "like", "min_frequency", "special", NULL };
    PyObject *texts, *special = NULL;
    const char *model, *out, *pre = "bytelevel", *like = NULL;
    Py_ssize_t vocab_size;
    unsigned long long minf = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Osns|zzKO", kwlist, &texts, &model, &vocab_size, &out, &pre, &like,
                                     &minf, &special))
        return NULL;
    static const struct { const char *name; tok_train_model m; } models[] = {
        { "bpe", TOK_TRAIN_BPE }, { "wordpiece", TOK_TRAIN_WORDPIECE }, { "wordlevel", TOK_TRAIN_WORDLEVEL },
        { "unigram", TOK_TRAIN_UNIGRAM }, { "pathpiece", TOK_TRAIN_PATHPIECE },
    };
    int mi = -1;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        if (!strcmp(model, models[i].name)) mi = (int)i;
    if (mi < 0 || vocab_size <= 0) {
        PyErr_SetString(PyExc_ValueError, "model must be bpe, wordpiece, wordlevel, unigram or pathpiece, vocab_size > 0");
        return NULL;
    }
    PyObject *fast = PySequence_Fast(texts, "texts must be a sequence of str");
    PyObject *sp = special ? PySequence_Fast(special, "special must be a sequence of str") : NULL;
    if (!fast || (special && !sp)) {
        Py_XDECREF(fast);
        return NULL;
    }
    const char **specials = NULL;
    size_t nspecial = sp ? (size_t)PySequence_Fast_GET_SIZE(sp) : 0;
    tok_error err = { 0 };
    tok_template *tp = like ? tok_template_like(like, &err) : tok_template_builtin(pre, &err);
    tok_counts *c = tp ? tok_counts_new(0) : NULL;
    tok_trained *tr = NULL;
    PyObject *r = NULL;
    if (!tp || !c) {
        raise_ctx(err.code ? err.code : TOK_ERR_NOMEM, err.message[0] ? err.message : "out of memory");
        goto done;
    }
    if (nspecial && !(specials = PyMem_Calloc(nspecial, sizeof *specials))) {
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < nspecial; i++)
        if (!(specials[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(sp, (Py_ssize_t)i)))) goto done;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
        Py_ssize_t len;
        PyObject *keep;
        const char *s = text_of(PySequence_Fast_GET_ITEM(fast, i), &len, &keep);
        if (!s) goto done;
        char name[32];
        snprintf(name, sizeof name, "text %zd", i);
        tok_status st;
        Py_BEGIN_ALLOW_THREADS
        st = tok_counts_add_text(c, tp, s, (size_t)len, 1, name, &err);
        Py_END_ALLOW_THREADS
        Py_DECREF(keep);
        if (st) {
            raise_ctx(st, err.message);
            goto done;
        }
    }
    tok_train_options o;
    tok_train_options_init(&o, models[mi].m);
    o.vocab_size = (size_t)vocab_size;
    o.min_frequency = minf;
    o.special = specials;
    o.n_special = nspecial;
    Py_BEGIN_ALLOW_THREADS
    tr = tok_train(c, &o, &err);
    if (tr && tok_trained_save(tr, tp, out, &err)) {
        tok_trained_free(tr);
        tr = NULL;
    }
    Py_END_ALLOW_THREADS
    if (!tr) raise_ctx(err.code, err.message);
    else {
        r = Py_None;
        Py_INCREF(r);
    }
done:
    tok_trained_free(tr);
    tok_counts_free(c);
    tok_template_free(tp);
    PyMem_Free(specials);
    Py_XDECREF(sp);
    Py_DECREF(fast);
    return r;
}

static PyMethodDef mod_methods[] = {
    { "train", (PyCFunction)(void (*)(void))mod_train, METH_VARARGS | METH_KEYWORDS,
      "train(texts, model, vocab_size, out, pre='bytelevel', like=None, min_frequency=0, special=())" },
    { "method_from_name", mod_method_from_name, METH_O, "method number of a name" },
    { NULL, NULL, 0, NULL }
};

static struct PyModuleDef moddef = { PyModuleDef_HEAD_INIT, "libtok._libtok",
                                     "CPython binding of libtok (see the libtok package).", -1, mod_methods,
                                     NULL, NULL, NULL, NULL };

PyMODINIT_FUNC PyInit__libtok(void)
{
    if (PyType_Ready(&TokType) < 0) return NULL;
    PyObject *m = PyModule_Create(&moddef);
    if (!m) return NULL;
    Py_INCREF(&TokType);
    PyModule_AddObject(m, "Tok", (PyObject *)&TokType);
    TokError = PyErr_NewException("libtok.LibtokError", PyExc_RuntimeError, NULL);
    Py_INCREF(TokError);
    PyModule_AddObject(m, "LibtokError", TokError);
    PyModule_AddStringConstant(m, "LIBRARY_VERSION", tok_version());
#define C(name) PyModule_AddIntConstant(m, #name, name)
    C(TOK_ENC_ADD_SPECIAL); C(TOK_ENC_OFFSETS); C(TOK_ENC_LOSSY); C(TOK_ENC_SPECIAL_TEXT); C(TOK_ENC_NO_SPECIAL_TEXT);
    C(TOK_DEC_SKIP_SPECIAL);
    C(TOK_TOKEN_SPECIAL); C(TOK_TOKEN_ADDED); C(TOK_TOKEN_BYTE); C(TOK_TOKEN_UNK); C(TOK_TOKEN_CONTROL);
    C(TOK_TOKEN_UNUSED); C(TOK_TOKEN_USER); C(TOK_TOKEN_CONTINUATION); C(TOK_TOKEN_WORD_START);
    C(TOK_TOKEN_UNREACHABLE); C(TOK_TOKEN_NONE);
    C(TOK_ROLE_UNK); C(TOK_ROLE_BOS); C(TOK_ROLE_EOS); C(TOK_ROLE_PAD); C(TOK_ROLE_CLS); C(TOK_ROLE_SEP); C(TOK_ROLE_MASK);
    C(TOK_STAGE_NORMALIZER); C(TOK_STAGE_PRETOKENIZER); C(TOK_STAGE_MODEL); C(TOK_STAGE_POSTPROCESSOR); C(TOK_STAGE_DECODER);
    C(W_IDS); C(W_OFFSETS); C(W_CHAR_OFFSETS); C(W_WORDS); C(W_TYPES); C(W_SPECIAL);
#undef C
    return m;
}
