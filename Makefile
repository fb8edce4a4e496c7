# urestore — one build for the library, the binary, the tests and the perf suite.
#
#   make            build build/urestore, build/liburestore.a, build/liburestore.so.1
#   make test       build, start the test servers, run every test; last line "N passed, N failed"
#   make demo       start an embedded local S3 (radosgw) with sample data and restore it with urestore
#   make perf       the CPU-per-GiB suite against the peers (perf/README.md)
#   make deps       install the Debian packages the build and the tests need (as root, only what is missing);
#                   every goal that builds runs it first
#   make check-fresh CMD='make demo'   run CMD in a fresh minimal Debian 12 chroot with a clean clone

# The Debian packages come first, before make looks at a single file: make caches what it finds in a
# directory when it first looks, so a make that started before deps.sh installed node-llhttp believed
# /usr/share/llhttp's sources absent for the rest of its run ("No rule to make target
# build/obj/llhttp/api.o" on a fresh machine, issue 11). deps.sh is silent and fast when nothing is
# missing; its output goes to the terminal (stderr), and its failure stops make. Goals that build nothing
# skip it; a recursive make does not repeat it.
UR_NO_DEPS_GOALS := clean format deps uninstall check-fresh
ifndef UR_DEPS_DONE
ifneq ($(filter-out $(UR_NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
$(shell bash scripts/deps.sh >&2)
ifneq ($(.SHELLSTATUS),0)
$(error scripts/deps.sh failed: the Debian packages above are needed to build and test urestore)
endif
endif
export UR_DEPS_DONE := 1
endif

CC       ?= cc
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
BUILD    ?= build
WARN     := -Wall -Wextra -Werror -Wno-format-truncation  # messages are cut to fit on purpose
CPPFLAGS += -D_GNU_SOURCE -I. -I/usr/share/include/llhttp
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden
LDLIBS   := -luring -lssl -lcrypto -lz

LLHTTP_DIR := /usr/share/llhttp
LLHTTP_SRC := $(LLHTTP_DIR)/api.c $(LLHTTP_DIR)/http.c $(LLHTTP_DIR)/llhttp.c

# cli/ is the command-line front end (cli/main.c its entry point), not part of the library.
CLI_SRC  := $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_SRC  := $(wildcard engine/*.c http/*.c s3/*.c tls/*.c flink/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(patsubst $(LLHTTP_DIR)/%.c,$(BUILD)/obj/llhttp/%.o,$(LLHTTP_SRC))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPER_SRC :=
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(BUILD)/obj/%.o)

SOVERSION := 1

.PHONY: all deps test unit e2e demo perf perf-smoke perf-check perf-scale perf-gc-scale clean format check-fresh
all: $(BUILD)/urestore $(BUILD)/liburestore.a $(BUILD)/liburestore.so.$(SOVERSION) $(TEST_BIN)

deps:
	@bash scripts/deps.sh

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# llhttp's generated sources: compiled as shipped, with their own (looser) warnings.
$(BUILD)/obj/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=gnu11 $(CFLAGS) -fPIC -fvisibility=hidden -w -c -o $@ $<

$(BUILD)/liburestore.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/liburestore.so.$(SOVERSION): $(LIB_OBJ) engine/liburestore.map
	$(CC) -shared -Wl,-soname,liburestore.so.$(SOVERSION) -Wl,--version-script=engine/liburestore.map \
		-Wl,-z,defs -o $@ $(LIB_OBJ) $(LDLIBS)
	ln -sf liburestore.so.$(SOVERSION) $(BUILD)/liburestore.so

$(BUILD)/urestore: $(BUILD)/obj/cli/main.o $(CLI_OBJ) $(BUILD)/liburestore.a
	$(CC) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(CLI_OBJ) $(TEST_HELPER_OBJ) $(BUILD)/liburestore.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) $(CFLAGS) -o $@ $< $(CLI_OBJ) $(TEST_HELPER_OBJ) $(BUILD)/liburestore.a $(LDLIBS)

test: all
	@bash tests/run.sh

unit: all
	@bash tests/run.sh --unit-only

e2e: all
	@bash tests/run.sh --e2e-only

demo: all
	@bash scripts/demo.sh

# CMD runs as root in a minimal Debian 12 chroot holding a clean clone of HEAD (scripts/check-fresh.sh).
CMD ?= make demo && make test
check-fresh:
	@bash scripts/check-fresh.sh '$(CMD)'

# UR_BIN: measure the binary of this build (make BUILD=… perf measures that build's).
perf: all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh $(if $(NET),--net $(NET)) $(PERFARGS)

perf-smoke: all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh --smoke

perf-check: all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh --check

perf-scale: all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh --scale

# checkpoint gc (dry run) over 1,000,000 objects and 100 checkpoints beside aws/rclone listings of the same
# prefix (perf/checkpoint/README.md). The first run seeds a kept BlueStore radosgw in /var/tmp (~45 min).
perf-gc-scale: all
	@UR_BIN=$(BUILD)/urestore bash perf/checkpoint/gc_bench.sh $(GC_SCALE_ARGS)

format:
	clang-format -i $(wildcard include/*.h engine/*.[ch] http/*.[ch] s3/*.[ch] tls/*.[ch] flink/*.[ch] cli/*.[ch] tests/unit/*.[ch])

clean:
	rm -rf $(BUILD)

# Rule fragments owned by their folders: fault/fuzz/sanitizer targets (tests/tests.mk), install and the
# ABI files (engine/install.mk).
-include tests/tests.mk engine/install.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
