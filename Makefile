# libtok — build, test, benchmark.  GNU make.
#
#   make            libtok.a, libtok.so, ./tok
#   make deps       install build/test dependencies (Debian apt + npm oracles)
#   make check      unit tests, the same under ASan+UBSan, and reference parity
#   make demo       encode/decode a sample with a built-in tokenizer
#   make bench      speed and memory side by side with the references
#                   (QUICKTOK=DIR: also quicktok, built from that checkout)
#   make install PREFIX=/usr/local

PREFIX    ?= /usr/local
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/libtok

SOVERSION := 0
VERSION   := 0.1.0

CC        ?= cc
PKGS      := libpcre2-8 libutf8proc libzstd jansson libxxhash
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcre2-8 -lutf8proc -lzstd -ljansson -lxxhash)

OPT       ?= -O2
CFLAGS    ?= $(OPT) -g
WARN      := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden -pthread $(WARN) $(PKG_CFLAGS) -DTOK_DATADIR='"$(DATADIR)"' -I. $(CFLAGS)
LDLIBS    := $(PKG_LIBS) -lm -pthread
# Libraries the modules above the core use (zlib for corpora, ICU for word
# boundaries, CBLAS for the weight-based analyzers).
MOD_PKGS  := zlib icu-uc icu-i18n openblas
MOD_LDLIBS := $(shell pkg-config --libs $(MOD_PKGS) 2>/dev/null || echo -lz -licui18n -licuuc -licudata -lopenblas)
PKG_CFLAGS += $(shell pkg-config --cflags $(MOD_PKGS) 2>/dev/null)

B         ?= build
LIB_SRC   := $(sort $(wildcard libtok/*.c libtok/*/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/unitab.o
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
TEST_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

# Modules above the core, each its own folder, public header(s) and library
# (libtok_<module>.a), built on the public API (libtok/tok.h) only.  Listed
# from the highest floor down: a module may use the ones after it.
MODULES   := analyzers vocab corpora
mod_src    = $(sort $(wildcard $(1)/*.c $(1)/*/*.c))
MOD_LIBS  := $(foreach m,$(MODULES),$(B)/libtok_$(m).a)
MOD_HDRS  := $(sort $(wildcard $(foreach m,$(MODULES),$(m)/tok_*.h $(m)/*/tok_*.h)))
HDRS      := $(wildcard libtok/*.h libtok/*/*.h cli/*.h $(foreach m,$(MODULES),$(m)/*.h $(m)/*/*.h))

ifeq ($(B),build)
TOK_BIN   := tok
else
TOK_BIN   := $(B)/tok
endif

.PHONY: all lib modules clean deps fetch check check-layers check-exports unit unit-asan parity robust demo bench install uninstall fuzz fuzz-check fuzz-build

all: $(TOK_BIN) $(B)/libtok.a $(B)/libtok.so $(MOD_LIBS) $(B)/examples/keep_replay
lib: $(B)/libtok.a $(B)/libtok.so
modules: $(MOD_LIBS)

$(B)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
# scan/avx2.c and scan/scalar.c compile the scanners' .c files again
SCANNERS := libtok/scan/gpt2.c libtok/scan/cl100k.c libtok/scan/o200k.c
$(B)/libtok/scan/avx2.o $(B)/libtok/scan/scalar.o: $(SCANNERS)

# Unicode class table for the scanners, asked of PCRE2 at build time.
$(B)/libtok-nogen.a: $(filter-out $(B)/gen/unitab.o,$(LIB_OBJ))
	@rm -f $@
	ar rcs $@ $^

$(B)/gen/gen_unitab: tools/gen_unitab.c libtok/scan/classes.h $(B)/libtok-nogen.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ tools/gen_unitab.c $(B)/libtok-nogen.a $(LDLIBS)

$(B)/gen/unitab.c: $(B)/gen/gen_unitab
	$< > $@.tmp && mv $@.tmp $@

$(B)/gen/unitab.o: $(B)/gen/unitab.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libtok.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/libtok.so: $(LIB_OBJ) libtok/libtok.map
	$(CC) -shared -Wl,-soname,libtok.so.$(SOVERSION) -Wl,--version-script=libtok/libtok.map -o $@ $(LIB_OBJ) $(LDLIBS) $(ALL_CFLAGS)

define module_rules
$(B)/libtok_$(1).a: $(patsubst %.c,$(B)/%.o,$(call mod_src,$(1)))
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_rules,$(m))))

$(TOK_BIN): $(CLI_OBJ) $(MOD_LIBS) $(B)/libtok.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(MOD_LIBS) $(B)/libtok.a $(LDLIBS) $(MOD_LDLIBS)

$(B)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(MOD_LIBS) $(B)/libtok.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(MOD_LIBS) $(B)/libtok.a $(LDLIBS) $(MOD_LDLIBS) -lcmocka

# Worked example of the keep-mask engine (docs/examples/keep_replay.c).
$(B)/examples/keep_replay: docs/examples/keep_replay.c $(MOD_LIBS) $(B)/libtok.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(MOD_LIBS) $(B)/libtok.a $(LDLIBS) $(MOD_LDLIBS)

# Keep-mask engine bench (bench/keep_bench.c, run by bench/keep.sh).
$(B)/keep_bench: bench/keep_bench.c $(MOD_LIBS) $(B)/libtok.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(MOD_LIBS) $(B)/libtok.a $(LDLIBS) $(MOD_LDLIBS)

$(B)/tokbench: bench/tokbench.c $(B)/libtok.a
	$(CC) $(ALL_CFLAGS) -o $@ bench/tokbench.c $(B)/libtok.a $(LDLIBS)

# --- dependencies --------------------------------------------------------
deps:
	sh scripts/deps.sh build test

fetch:
	sh scripts/fetch-refs.sh

# --- tests -----------------------------------------------------------------
# Builds and test runners use every CPU (tests/run-unit.sh and
# tests/parity/run.sh run TEST_JOBS / PARITY_JOBS at a time, default nproc).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
check: deps
	$(MAKE) check-layers
	$(MAKE) -j$(JOBS) check-exports
	$(MAKE) -j$(JOBS) unit
	$(MAKE) -j$(JOBS) unit-asan
	$(MAKE) parity
	$(MAKE) robust
	$(MAKE) -j$(JOBS) fuzz-check

unit: $(TEST_BIN) $(TOK_BIN)
	sh scripts/fetch-refs.sh
	@sh tests/run-unit.sh $(B) $(TEST_BIN)

# The floors: modules and the CLI see only public headers (never libtok's
# internals), and a module never includes one above it.
check-layers:
	@sh tests/check-layers.sh $(MODULES)

# libtok.so exports exactly the TOK_API functions of libtok/tok.h; the
# README's C example compiles and runs against the installed-style headers;
# no folder of libtok/ uses one above it (tests/check-floors.sh).
check-exports: $(B)/libtok.so $(B)/libtok.a
	@sh tests/check-exports.sh $(B)/libtok.so
	@sh tests/readme-example.sh $(B)
	@sh tests/check-floors.sh $(B)

unit-asan:
	$(MAKE) B=build-asan OPT=-O1 CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" unit

parity: $(TOK_BIN)
	sh scripts/fetch-refs.sh
	TOK=$(abspath $(TOK_BIN)) PARITY_NO_FETCH=1 sh tests/parity/run.sh

# bad files and bad text through the ASan+UBSan tok: exit 0/1, never a crash
robust:
	sh scripts/fetch-refs.sh
	$(MAKE) B=build-asan OPT=-O1 CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" build-asan/tok
	node tests/robust/fuzz.js build-asan/tok $${TOK_CACHE:-$$HOME/.cache/libtok}/tokenizers 60

# --- fuzzing (libFuzzer, clang) -------------------------------------------
# One harness per loader (tests/fuzz/load.c with the format forced; "auto"
# tells it from the content) and encode/decode on fixed tokenizers.  Each
# runs on its committed seeds (tests/fuzz/corpus/<target>) and dictionary;
# what it finds goes to build-fuzz/corpus/<target>.  A crash, a leak, an
# input over 10 s or 512 MB, or one malloc over 256 MB fails the run.
FUZZ_CC      ?= clang
FUZZ_B       := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# no coverage callbacks in the loops that walk the whole id range (see the file)
FUZZ_COV     := -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt
FUZZ_LOADERS := json:TOK_FORMAT_HF_JSON tiktoken:TOK_FORMAT_TIKTOKEN spm:TOK_FORMAT_SPM bert:TOK_FORMAT_BERT_VOCAB \
                gpt2:TOK_FORMAT_GPT2 tokpack:TOK_FORMAT_TOKPACK gguf:TOK_FORMAT_GGUF auto:TOK_FORMAT_AUTO
FUZZ_TARGETS := $(foreach l,$(FUZZ_LOADERS),load_$(firstword $(subst :, ,$(l)))) encode decode
FUZZ_SECONDS ?= 60
FUZZ_ARGS    ?= -timeout=10 -rss_limit_mb=512 -malloc_limit_mb=256 -print_final_stats=1

fuzz-build:
	@mkdir -p $(FUZZ_B)
	$(MAKE) B=$(FUZZ_B) CC=$(FUZZ_CC) OPT=-O1 CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_COV) $(FUZZ_SAN)" $(FUZZ_B)/libtok.a
	$(foreach l,$(FUZZ_LOADERS),$(FUZZ_CC) $(ALL_CFLAGS) -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) \
	    -DFUZZ_FORMAT=$(lastword $(subst :, ,$(l))) -o $(FUZZ_B)/fuzz_load_$(firstword $(subst :, ,$(l))) \
	    tests/fuzz/load.c $(FUZZ_B)/libtok.a $(LDLIBS) &&) true
	$(foreach t,encode decode,$(FUZZ_CC) $(ALL_CFLAGS) -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) \
	    -o $(FUZZ_B)/fuzz_$(t) tests/fuzz/$(t).c $(FUZZ_B)/libtok.a $(LDLIBS) &&) true

# make fuzz FUZZ_SECONDS=N: each target N seconds, one after the other
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/corpus/$$t; \
	    echo "fuzz $$t: $(FUZZ_SECONDS) s"; \
	    ASAN_OPTIONS=$${ASAN_OPTIONS:-quarantine_size_mb=16} \
	    $(FUZZ_B)/fuzz_$$t $(FUZZ_ARGS) -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_B)/crash-$$t- \
	        -dict=tests/fuzz/$$t.dict $(FUZZ_B)/corpus/$$t tests/fuzz/corpus/$$t 2>$(FUZZ_B)/$$t.log \
	        || { tail -n 60 $(FUZZ_B)/$$t.log; echo "FAILED: fuzz $$t (log: $(FUZZ_B)/$$t.log)"; exit 1; }; \
	    grep -E "stat::number_of_executed_units|DONE" $(FUZZ_B)/$$t.log | tr '\n' ' '; echo; \
	done

# a few seconds each (3), from `make check`
fuzz-check:
	$(MAKE) fuzz FUZZ_SECONDS=3

# make fuzz-campaign FUZZ_SECONDS=N FUZZ_JOBS=2: every target N seconds, JOBS
# at a time at nice 19, corpus kept in build-fuzz/corpus; a table at the end
FUZZ_JOBS    ?= 2
.PHONY: fuzz-campaign
fuzz-campaign: fuzz-build
	sh tests/fuzz/campaign.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_JOBS)

demo:
	sh scripts/deps.sh build demo
	$(MAKE) $(TOK_BIN)
	sh scripts/demo.sh

bench:
	sh scripts/deps.sh build test bench
	$(MAKE) $(TOK_BIN) $(B)/tokbench
	sh scripts/fetch-refs.sh
	QUICKTOK="$(QUICKTOK)" sh bench/run.sh
	$(MAKE) $(B)/keep_bench
	sh bench/keep.sh
	sh bench/lang.sh | tee -a "$${BENCH_OUT:-$${TOK_CACHE:-$$HOME/.cache/libtok}/bench}/latest.md"
	sh bench/python.sh
	sh bench/train.sh

# --- install ---------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/libtok $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	install -m 644 $(B)/libtok.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(B)/libtok.so $(DESTDIR)$(LIBDIR)/libtok.so.$(VERSION)
	ln -sf libtok.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libtok.so.$(SOVERSION)
	ln -sf libtok.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libtok.so
	install -m 644 libtok/tok.h $(DESTDIR)$(INCDIR)/libtok/tok.h
	install -m 755 $(TOK_BIN) $(DESTDIR)$(BINDIR)/tok
	install -m 644 man/tok.1 $(DESTDIR)$(MANDIR)/man1/tok.1
	install -m 644 man/tok-audit.1 $(DESTDIR)$(MANDIR)/man1/tok-audit.1
	install -m 644 man/tok-words.1 $(DESTDIR)$(MANDIR)/man1/tok-words.1
	install -m 644 man/tok-train.1 $(DESTDIR)$(MANDIR)/man1/tok-train.1
	install -m 644 man/libtok.3 $(DESTDIR)$(MANDIR)/man3/libtok.3
	install -D -m 644 man/tokpack.5 $(DESTDIR)$(MANDIR)/man5/tokpack.5
	install -d $(DESTDIR)$(DATADIR)/policies
	install -m 644 data/policies/*.policy $(DESTDIR)$(DATADIR)/policies/
	@# the modules: their libraries, and their public headers laid out as in
	@# the tree under include/libtok/ (they include one another relatively)
	install -m 644 $(MOD_LIBS) $(DESTDIR)$(LIBDIR)/
	for h in $(MOD_HDRS); do install -D -m 644 $$h $(DESTDIR)$(INCDIR)/libtok/$$h; done
	install -m 644 man/tok_keep.3 $(DESTDIR)$(MANDIR)/man3/tok_keep.3
	install -m 644 man/tok-analyze-glitch.1 $(DESTDIR)$(MANDIR)/man1/tok-analyze-glitch.1
	@# built-in names: the tokenizer files already fetched into the cache (their
	@# licences: README); none fetched is said, not an error
	install -d $(DESTDIR)$(DATADIR)
	@c=$${TOK_CACHE:-$$HOME/.cache/libtok}/tokenizers; n=0; \
	for f in "$$c"/*.json "$$c"/*.tiktoken "$$c"/*.model "$$c"/*.tokpack "$$c"/README; do \
	    [ -f "$$f" ] || continue; install -m 644 "$$f" $(DESTDIR)$(DATADIR)/; n=$$((n+1)); done; \
	if [ $$n -eq 0 ]; then echo "install: no fetched tokenizers in $$c: run 'make fetch' (all) or 'sh scripts/fetch-demo.sh' (o200k_base, llama3), then 'make install' again, for built-in names"; \
	else echo "install: $$n tokenizer files into $(DATADIR) (built-in names for -t)"; fi
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' -e 's|@REQUIRES@|$(PKGS)|' libtok.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libtok.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libtok.a $(DESTDIR)$(LIBDIR)/libtok.so* $(DESTDIR)$(INCDIR)/libtok/tok.h \
	      $(DESTDIR)$(BINDIR)/tok $(DESTDIR)$(MANDIR)/man1/tok.1 $(DESTDIR)$(MANDIR)/man1/tok-train.1 $(DESTDIR)$(MANDIR)/man3/libtok.3 \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/libtok.pc $(DESTDIR)$(MANDIR)/man1/tok-analyze-glitch.1 \
	      $(DESTDIR)$(MANDIR)/man1/tok-audit.1
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(foreach m,$(MODULES),$(DESTDIR)$(LIBDIR)/libtok_$(m).a) $(DESTDIR)$(MANDIR)/man3/tok_keep.3
	rm -rf $(foreach m,$(MODULES),$(DESTDIR)$(INCDIR)/libtok/$(m))

clean:
	rm -rf build build-asan build-fuzz tok
