/* corpora/: streaming readers — units, formats (plain, gzip, zstd, JSONL,
 * TSV, directories), language tags, and the errors and lenient skips for
 * bad corpora (invalid UTF-8, truncated streams, bad JSONL, empty languages). */
#include "testutil.h"

#include "corpora/tok_corpora.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char dir[256];

static void path_of(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", dir, name); }

static void write_file(const char *name, const void *data, size_t n)
{
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static size_t gz_bytes(const char *text, unsigned char *out, size_t cap)
{
    z_stream z = { 0 };
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)strlen(text);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

/* All units of a corpus joined as "lang:line:text\n"; returns the status. */
static tok_status read_all_units(const char *name, const tok_corpus_options *o, char *out, size_t cap, char *err,
                                 size_t ecap, tok_corpus_stats *st)
{
    char p[512];
    path_of(p, sizeof p, name);
    tok_error e = { 0 };
    tok_corpus *c = tok_corpus_open(p, o, &e);
    if (!c) {
        snprintf(err, ecap, "%s", e.message);
        return e.code;
    }
    size_t k = 0;
    out[0] = 0;
    tok_text t;
    tok_status s;
    while ((s = tok_corpus_next(c, &t)) == TOK_OK && t.text)
        k += (size_t)snprintf(out + k, cap - k, "%s:%llu:%.*s\n", t.lang, (unsigned long long)t.line, (int)t.len, t.text);
    snprintf(err, ecap, "%s", tok_corpus_error(c));
    if (st) *st = *tok_corpus_get_stats(c);
    tok_corpus_free(c);
    return s;
}

static void expect_error(const char *name, const tok_corpus_options *o, tok_status code, const char *needle)
{
    char out[4096], err[1024];
    tok_status s = read_all_units(name, o, out, sizeof out, err, sizeof err, NULL);
    if (s != code) fail_msg("%s: status %d (%s), want %d", name, s, err, code);
    if (!strstr(err, needle)) fail_msg("%s: message \"%s\" lacks \"%s\"", name, err, needle);
}

static void test_lines_and_units(void **state)
{
    (void)state;
    write_file("de.txt", "Hallo Welt\r\n\nzweite Zeile\nletzte", 33);
    tok_corpus_options o;
    tok_corpus_options_init(&o);
    char out[4096], err[1024];
    tok_corpus_stats st;
    assert_int_equal(read_all_units("de.txt", &o, out, sizeof out, err, sizeof err, &st), TOK_OK);
    assert_string_equal(out, "de:1:Hallo Welt\nde:3:zweite Zeile\nde:4:letzte\n");
    assert_int_equal(st.empty, 1);
    assert_int_equal(st.units, 3);
    o.unit = TOK_UNIT_FILE;
    assert_int_equal(read_all_units("de.txt", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "de:1:Hallo Welt\r\n\nzweite Zeile\nletzte\n");
    o.unit = TOK_UNIT_PARAGRAPH;
    assert_int_equal(read_all_units("de.txt", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "de:1:Hallo Welt\nde:3:zweite Zeile\nletzte\n");
    o.unit = TOK_UNIT_LINE;
    o.lang = "xx";
    assert_int_equal(read_all_units("de.txt", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "xx:1:Hallo Welt\nxx:3:zweite Zeile\nxx:4:letzte\n");
}

static void test_compressed(void **state)
{
    (void)state;
    const char *text = "eins\nzwei\ndrei\n";
    unsigned char gz[256];
    size_t n = gz_bytes(text, gz, sizeof gz);
    /* two gzip members in a row are one stream */
    unsigned char two[512];
    memcpy(two, gz, n);
    memcpy(two + n, gz, n);
    write_file("fi.txt.gz", two, 2 * n);
    tok_corpus_options o;
    tok_corpus_options_init(&o);
    char out[4096], err[1024];
    assert_int_equal(read_all_units("fi.txt.gz", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "fi:1:eins\nfi:2:zwei\nfi:3:drei\nfi:4:eins\nfi:5:zwei\nfi:6:drei\n");
    write_file("cut.txt.gz", gz, n - 6);
    expect_error("cut.txt.gz", &o, TOK_ERR_FORMAT, "truncated gzip");
    unsigned char zs[256];
    size_t zn = ZSTD_compress(zs, sizeof zs, text, strlen(text), 3);
    assert_false(ZSTD_isError(zn));
    write_file("tr.zst", zs, zn);
    assert_int_equal(read_all_units("tr.zst", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "tr:1:eins\ntr:2:zwei\ntr:3:drei\n");
    write_file("cut.zst", zs, zn - 3);
    expect_error("cut.zst", &o, TOK_ERR_FORMAT, "truncated zstd");
    /* lenient: the truncation is counted, the text before it kept */
    o.lenient = true;
    tok_corpus_stats st;
    read_all_units("cut.txt.gz", &o, out, sizeof out, err, sizeof err, &st);
    assert_int_equal(st.truncated, 1);
}

static void test_bad_text(void **state)
{
    (void)state;
    const char *ru = "хорошо\nплохо \xD0\n";
    write_file("ru.txt", ru, strlen(ru));
    tok_corpus_options o;
    tok_corpus_options_init(&o);
    expect_error("ru.txt", &o, TOK_ERR_UTF8, "ru.txt:2:12: invalid UTF-8");
    /* overlong, surrogate, above U+10FFFF */
    assert_int_equal(tok_utf8_valid_prefix("a\xC0\xAF", 3), 1);
    assert_int_equal(tok_utf8_valid_prefix("ab\xED\xA0\x80", 5), 2);
    assert_int_equal(tok_utf8_valid_prefix("\xF4\x90\x80\x80", 4), 0);
    assert_int_equal(tok_utf8_valid_prefix("\xF0\x9F\x98\x80 ok", 7), 7);
    o.lenient = true;
    char out[4096], err[1024];
    tok_corpus_stats st;
    assert_int_equal(read_all_units("ru.txt", &o, out, sizeof out, err, sizeof err, &st), TOK_OK);
    assert_string_equal(out, "ru:1:хорошо\n");
    assert_int_equal(st.bad_utf8, 1);
    /* the skips in plain words */
    char p[512], why[256];
    path_of(p, sizeof p, "ru.txt");
    tok_corpus *c = tok_corpus_open(p, &o, NULL);
    tok_text t;
    while (tok_corpus_next(c, &t) == TOK_OK && t.text) {}
    assert_string_equal(tok_corpus_skips(c, why, sizeof why), "skipped: 1 invalid UTF-8");
    tok_corpus_free(c);
    /* an empty language */
    write_file("am.txt", "\n\n", 2);
    o.lenient = false;
    expect_error("am.txt", &o, TOK_ERR_FORMAT, "empty language 'am'");
    o.lenient = true;
    assert_int_equal(read_all_units("am.txt", &o, out, sizeof out, err, sizeof err, &st), TOK_OK);
    assert_int_equal(st.empty_inputs, 1);
    /* a line longer than the unit limit */
    o.lenient = false;
    o.max_unit = 4;
    write_file("long.txt", "abc\nabcdefghij\nxy\n", 18);
    expect_error("long.txt", &o, TOK_ERR_LIMIT, "long.txt:2: line longer");
    o.lenient = true;
    assert_int_equal(read_all_units("long.txt", &o, out, sizeof out, err, sizeof err, &st), TOK_OK);
    assert_string_equal(out, "long:1:abc\nlong:3:xy\n");
    assert_int_equal(st.too_long, 1);
}

static void test_jsonl(void **state)
{
    (void)state;
    const char *j = "{\"text\":\"eins\",\"id\":1}\n{\"text\":\"zw\\u00e4i\"}\n";
    write_file("de.jsonl", j, strlen(j));
    tok_corpus_options o;
    tok_corpus_options_init(&o);
    o.json_field = "text";
    char out[4096], err[1024];
    assert_int_equal(read_all_units("de.jsonl", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "de:1:eins\nde:2:zwäi\n");
    const char *bad = "{\"text\":\"ok\"}\n{\"text\": tru\n{\"body\":\"x\"}\n{\"text\":3}\n";
    write_file("bad.jsonl", bad, strlen(bad));
    expect_error("bad.jsonl", &o, TOK_ERR_FORMAT, "bad.jsonl:2:");
    o.lenient = true;
    tok_corpus_stats st;
    assert_int_equal(read_all_units("bad.jsonl", &o, out, sizeof out, err, sizeof err, &st), TOK_OK);
    assert_string_equal(out, "bad:1:ok\n");
    assert_int_equal(st.bad_json, 1);
    assert_int_equal(st.missing_field, 2);
    o.lenient = false;
    const char *miss = "{\"text\":\"ok\"}\n{\"body\":\"x\"}\n";
    write_file("miss.jsonl", miss, strlen(miss));
    expect_error("miss.jsonl", &o, TOK_ERR_FORMAT, "miss.jsonl:2: no string member \"text\"");
}

static void test_tsv_and_dir(void **state)
{
    (void)state;
    const char *t = "en\tde\tja\nhello\thallo\tこんにちは\nyes\tja\tはい\n";
    write_file("par.tsv", t, strlen(t));
    tok_corpus_options o;
    tok_corpus_options_init(&o);
    o.tsv = true;
    char out[4096], err[1024];
    assert_int_equal(read_all_units("par.tsv", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "en:2:hello\nde:2:hallo\nja:2:こんにちは\nen:3:yes\nde:3:ja\nja:3:はい\n");
    const char *bad = "en\tde\nhello\n";
    write_file("bad.tsv", bad, strlen(bad));
    expect_error("bad.tsv", &o, TOK_ERR_FORMAT, "bad.tsv:2: 1 columns, the header has 2");
    const char *emp = "en\tde\nhello\t\n";
    write_file("emp.tsv", emp, strlen(emp));
    expect_error("emp.tsv", &o, TOK_ERR_FORMAT, "column 2 (de) has no text");
    /* a directory: files in name order, each tagged by its name */
    char sub[512];
    path_of(sub, sizeof sub, "par");
    mkdir(sub, 0755);
    write_file("par/fr.txt", "un\ndeux\n", 8);
    write_file("par/en.txt", "one\ntwo\n", 8);
    write_file("par/.hidden", "x\n", 2);
    tok_corpus_options_init(&o);
    assert_int_equal(read_all_units("par", &o, out, sizeof out, err, sizeof err, NULL), TOK_OK);
    assert_string_equal(out, "en:1:one\nen:2:two\nfr:1:un\nfr:2:deux\n");
    char lang[16];
    tok_corpus_lang_of("/a/b/zh-Hans.udhr.txt", lang, sizeof lang);
    assert_string_equal(lang, "zh-Hans");
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tok_corpora_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_and_units), cmocka_unit_test(test_compressed), cmocka_unit_test(test_bad_text),
        cmocka_unit_test(test_jsonl),           cmocka_unit_test(test_tsv_and_dir),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
