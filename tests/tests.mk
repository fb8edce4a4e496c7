# tests/tests.mk — fuzzing, sanitizer and valgrind runs (included by the root Makefile, which defines BUILD,
# CC, CPPFLAGS, LLHTTP_DIR and the build rules). Each builds into its own directory, so none disturbs the
# normal build.
#
#   make fuzz [FUZZ_SECONDS=30] [FUZZ_TARGETS="uri runline"]   libFuzzer targets (tests/fuzz), each run for
#                     FUZZ_SECONDS on top of its committed seed corpus; fails on any crash (build-fuzz/)
#   make fuzz-regress  every committed corpus input once through each target (seconds)
#   make test-asan    the whole test suite (tests/run.sh) on an ASan+UBSan build (build-asan/)
#   make test-valgrind  the end-to-end tests with the client under valgrind memcheck, on epoll (build-vg/)
#   make test-epoll   the end-to-end tests (library tests included) on the epoll backend
#   make test-epoll-core  the part of them CI runs on epoll with the normal build (EPOLL_CORE)
# TESTARGS passes options to tests/run.sh, e.g. make test-asan TESTARGS="-k fault".

FUZZ_CC      ?= $(shell command -v clang-14 || command -v clang)
FUZZ_SECONDS ?= 30
FUZZ_BUILD   ?= build-fuzz
ASAN_BUILD   ?= build-asan
VG_BUILD     ?= build-vg
TESTARGS     ?=

# Undefined behaviour stops the program like a memory error does.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# The library sources each fuzz target links (s3/list.c only once it exists).
FUZZ_SRC_http_response := http/response.c http/date.c
FUZZ_LLHTTP_http_response := api http llhttp
FUZZ_SRC_s3_error := s3/error.c s3/xml.c
FUZZ_SRC_s3_list := s3/list.c s3/xml.c s3/uri.c s3/credtime.c
FUZZ_SRC_runline := cli/runline.c cli/flag.c cli/glob.c cli/out.c
FUZZ_SRC_uri := s3/uri.c s3/endpoint.c
FUZZ_SRC_gcm_vaes := tls/gcm_vaes.c
FUZZ_LIBS_gcm_vaes := -lcrypto
FUZZ_SRC_flink_metadata := flink/metadata.c flink/javaser.c flink/ckpath.c
FUZZ_SRC_awscfg := s3/awscfg.c s3/credplan.c s3/region.c s3/url.c s3/error.c s3/xml.c
FUZZ_LIBS_awscfg := -lcrypto
FUZZ_SRC_json := s3/json.c s3/credjson.c s3/credtime.c
FUZZ_LIBS_json := -lcrypto
FUZZ_SRC_sts_xml := s3/sts.c s3/credtime.c s3/region.c s3/awscfg.c s3/error.c s3/xml.c s3/uri.c s3/sigv4.c s3/sigv4_canon.c
FUZZ_LIBS_sts_xml := -lcrypto
FUZZ_SRC_partial := engine/partial.c
FUZZ_LIBS_partial := -lz
FUZZ_TARGETS ?= http_response s3_error $(if $(wildcard s3/list.c),s3_list) runline uri gcm_vaes flink_metadata awscfg json sts_xml partial

define FUZZ_RULE
$(FUZZ_BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_SRC_$(1))) \
		$(patsubst %,$(FUZZ_BUILD)/obj/llhttp/%.o,$(FUZZ_LLHTTP_$(1)))
	@mkdir -p $$(dir $$@)
	$(FUZZ_CC) $(CPPFLAGS) -std=gnu11 -Wall -Wextra -Werror -g -O1 $(SAN_FLAGS) -fsanitize=fuzzer -o $$@ $$^ $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

.PHONY: fuzz fuzz-build fuzz-bins fuzz-regress test-asan test-valgrind test-epoll test-epoll-core

# The library objects come from the root Makefile's rules, run again with BUILD=$(FUZZ_BUILD) and clang.
fuzz-build:
	@[ -n "$(FUZZ_CC)" ] || { echo "make fuzz: clang not found (apt-get install clang)" >&2; exit 1; }
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) WARN="$(WARN) -Wno-unknown-warning-option" \
		CFLAGS="-O1 -g $(SAN_FLAGS) -fsanitize=fuzzer-no-link" fuzz-bins

fuzz-bins: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz_%)

fuzz: fuzz-build
	bash tests/fuzz/run.sh --bin $(FUZZ_BUILD)/fuzz --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	bash tests/fuzz/run.sh --bin $(FUZZ_BUILD)/fuzz --regress $(FUZZ_TARGETS)

# ASan+UBSan: the compiler carries the flags so that every compile and link line gets them. The e2e tests
# run the client with a clean environment, so the sanitizers' options travel in UR_WRAPPER; exit code 99
# keeps a sanitizer report from passing for the client's own exit status 1. UR_TIME_SCALE multiplies the
# one wall-clock bound a test holds the client to (Flink's 200 ms from SIGTERM to exit).
ASAN_ENV := ASAN_OPTIONS=exitcode=99:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1 \
	UBSAN_OPTIONS=exitcode=99:halt_on_error=1:print_stacktrace=1
# The e2e tests that build programs against the library call plain `cc`: a cc first on PATH adds the flags.
test-asan:
	$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) CC="$(CC) $(SAN_FLAGS)" OPT=-O1 all
	@mkdir -p $(ASAN_BUILD)/bin
	@printf '#!/bin/sh\nexec %s %s "$$@"\n' "$$(command -v $(CC))" "$(SAN_FLAGS)" >$(ASAN_BUILD)/bin/cc
	@chmod +x $(ASAN_BUILD)/bin/cc
	PATH="$(CURDIR)/$(ASAN_BUILD)/bin:$$PATH" $(ASAN_ENV) UR_WRAPPER="env $(ASAN_ENV)" BUILD=$(ASAN_BUILD) UR_TIME_SCALE=3 \
		bash tests/run.sh $(TESTARGS)

# Valgrind: the client of every e2e test under memcheck (slow: each client run gets 20 minutes; a bound on a
# whole client run, start-up included, is stretched 5 times).
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite
# The client runs on the epoll backend here (VG_IO_BACKEND): memcheck sees every byte a system call reads
# or writes there, where io_uring's kernel-side reads and writes of the buffers are invisible to it; and
# so the whole e2e suite runs on epoll in CI (make test runs it on io_uring).
VG_IO_BACKEND ?= epoll
test-valgrind:
	@command -v valgrind >/dev/null || { echo "make test-valgrind: valgrind not found (apt-get install valgrind)" >&2; exit 1; }
	$(MAKE) --no-print-directory BUILD=$(VG_BUILD) OPT=-O1 all
	UR_WRAPPER="$(VALGRIND)" UR_TIMEOUT=1200 UR_TEST_TIMEOUT=3600 UR_IO_BACKEND=$(VG_IO_BACKEND) BUILD=$(VG_BUILD) UR_TIME_SCALE=5 \
		bash tests/run.sh --e2e-only $(TESTARGS)

# The portable backend (engine/loop_epoll.c) under the whole end-to-end suite: tests/e2e/lib.sh hands
# UR_IO_BACKEND to every client and library test program as URESTORE_IO_BACKEND. Same build as `make test`.
test-epoll: all
	UR_IO_BACKEND=epoll BUILD=$(BUILD) bash tests/run.sh --e2e-only $(TESTARGS)

# What CI runs on epoll with the real build: the whole e2e suite runs on epoll under valgrind (below), but
# a client under valgrind is too slow for wall-clock bounds; these hold one (the Flink contract's 200 ms
# from SIGTERM to exit) or time real transfers.
EPOLL_CORE := -k flink_contract -k sigterm -k sizes_https -k large_https
test-epoll-core: all
	UR_IO_BACKEND=epoll BUILD=$(BUILD) bash tests/run.sh --e2e-only $(EPOLL_CORE)
