# urestore — one build for the library, the binary, the tests and the perf suite.
#
#   make            build build/urestore, build/liburestore.a, build/liburestore.so.1
#   make test       build, start the test servers, run every test; last line "N passed, N failed"
#   make demo       start an embedded local S3 (radosgw) with sample data and restore it with urestore
#   make perf       the CPU-per-GiB suite against the peers (perf/README.md)
#   make deps       install the Debian packages the build and the tests need (as root, only what is missing)

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

# engine/cli_*.c and engine/main.c are the command-line front end, not part of the library.
CLI_SRC  := $(wildcard engine/cli_*.c)
LIB_SRC  := $(filter-out engine/main.c $(CLI_SRC),$(wildcard engine/*.c http/*.c s3/*.c tls/*.c flink/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(patsubst $(LLHTTP_DIR)/%.c,$(BUILD)/obj/llhttp/%.o,$(LLHTTP_SRC))
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPER_SRC :=
TEST_HELPER_OBJ := $(TEST_HELPER_SRC:%.c=$(BUILD)/obj/%.o)

SOVERSION := 1

.PHONY: all deps test unit e2e demo perf perf-smoke perf-check perf-scale clean format
all: $(BUILD)/urestore $(BUILD)/liburestore.a $(BUILD)/liburestore.so.$(SOVERSION) $(TEST_BIN)

deps:
	@bash tests/servers/deps.sh

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

$(BUILD)/urestore: $(BUILD)/obj/engine/main.o $(CLI_OBJ) $(BUILD)/liburestore.a
	$(CC) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(CLI_OBJ) $(TEST_HELPER_OBJ) $(BUILD)/liburestore.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=gnu11 $(WARN) $(CFLAGS) -o $@ $< $(CLI_OBJ) $(TEST_HELPER_OBJ) $(BUILD)/liburestore.a $(LDLIBS)

test: deps all
	@bash tests/run.sh

unit: all
	@bash tests/run.sh --unit-only

e2e: deps all
	@bash tests/run.sh --e2e-only

demo: deps all
	@bash tests/servers/demo.sh

# UR_BIN: measure the binary of this build (make BUILD=… perf measures that build's).
perf: deps all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh $(if $(NET),--net $(NET)) $(PERFARGS)

perf-smoke: deps all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh --smoke

perf-check: deps all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh --check

perf-scale: deps all
	@UR_BIN=$(BUILD)/urestore bash perf/run.sh --scale

format:
	clang-format -i $(wildcard engine/*.[ch] http/*.[ch] s3/*.[ch] tests/unit/*.[ch])

clean:
	rm -rf $(BUILD)

# Rule fragments owned by their folders: fault/fuzz/sanitizer targets (tests/tests.mk), install and the
# ABI files (engine/install.mk).
-include tests/tests.mk engine/install.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
