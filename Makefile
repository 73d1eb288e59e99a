# flake-action: build, test, install.
#
#   make                      bin/flake-collector (and later bin/flake-reporter)
#   make test                 all tests; closing line "N passed, N failed"
#   make SANITIZE=address,undefined test
#   make install PREFIX=/usr/local
#   make bench                benchmarks (docs/PERFORMANCE.md)
#
# DEV=1 (the default here) turns warnings into errors; the action builds
# with DEV=0 so a newer compiler's new warning cannot break a user's CI.

CC       ?= cc
PREFIX   ?= /usr/local
DEV      ?= 1
SANITIZE ?=
BUILD    ?= build$(if $(SANITIZE),-san)
BIN      ?= bin$(if $(SANITIZE),-san)

# The collector and core need these; the reporter also libmicrohttpd, so
# `make bin/flake-collector` (the Action's build) needs no libmicrohttpd.
PKGS          = jansson sqlite3 libcurl libcrypto zlib
PKG_CFLAGS   := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
MHD_CFLAGS   := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS     := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion \
       -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
       -Wwrite-strings -Wvla -Wformat=2 -Wundef -Wcast-qual \
       -Wimplicit-fallthrough
CFLAGS ?= -g -O2
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	$(CFLAGS) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -pthread \
	-I. -I$(BUILD) $(PKG_CFLAGS)
ifeq ($(DEV),1)
ALL_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif
LIBS = $(PKG_LIBS) -lm -pthread
REPORTER_LIBS = $(MHD_LIBS) $(LIBS)

CORE_SRC      = $(sort $(wildcard core/*.c))
COLLECTOR_SRC = $(sort $(wildcard collector/*.c))
REPORTER_SRC  = $(sort $(wildcard reporter/*.c))
UNIT_SRC      = $(sort $(wildcard tests/unit/test_*.c))
SCHEMA_SQL    = $(sort $(wildcard schema/*.sql))

CORE_OBJ      = $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o
COLLECTOR_OBJ = $(COLLECTOR_SRC:%.c=$(BUILD)/%.o)
REPORTER_OBJ  = $(REPORTER_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN      = $(UNIT_SRC:tests/unit/%.c=$(BIN)/tests/%)

PROGRAMS = $(BIN)/flake-collector $(if $(REPORTER_SRC),$(BIN)/flake-reporter)

all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/reporter/%.o: reporter/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(MHD_CFLAGS) -MMD -MP -c -o $@ $<

# The migrations are compiled in, so a binary never runs against a schema
# directory of another version.
$(BUILD)/schema_sql.c: $(SCHEMA_SQL) tests/tools/embed.sh
	@mkdir -p $(dir $@)
	sh tests/tools/embed.sh $(SCHEMA_SQL) > $@.tmp && mv $@.tmp $@

$(BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(BUILD)/libcore.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BIN)/flake-collector: $(COLLECTOR_OBJ) $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/flake-reporter: $(REPORTER_OBJ) $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(REPORTER_LIBS)

$(BIN)/tests/%: tests/unit/%.c $(BUILD)/libcore.a tests/unit/check.h tests/unit/fixture.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libcore.a $(LIBS)

units: $(UNIT_BIN)

# `make test` runs the whole suite twice: on the plain build and on the
# ASan+UBSan build (bin-san/), and closes with one "N passed, N failed".
test check: all units
	$(MAKE) SANITIZE=address,undefined all units
	BINS="$(BIN) bin-san" sh tests/run.sh

# One build only: `make SANITIZE=address,undefined test-one`.
test-one: all units
	BINS="$(BIN)" sh tests/run.sh

bench: all
	sh bench/run.sh

demo: all
	sh examples/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build build-san bin bin-san

# Fuzzing (docs/RELIABILITY.md "Fuzzing"): clang's libFuzzer with ASan and
# UBSan, one fuzz/fuzz_<name>.c per target, built in build-fuzz/ from the
# core sources.  `make fuzz` seeds build-fuzz/corpus/<name>/ (fuzz/
# seed-corpus.sh), replays fuzz/regressions/<name>/, then runs every target
# for FUZZ_SECONDS (wall clock) and prints its executions; a crash fails
# the run and leaves the input in build-fuzz/artifacts/<name>/.  `make -j`
# runs the targets in parallel.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_FLAGS   ?=
FUZZ_SRC      = $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES    = $(FUZZ_SRC:fuzz/fuzz_%.c=%)
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_CORE_OBJ = $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/schema_sql.o
FUZZ_CFLAGS   = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -I. -I$(BUILD) $(PKG_CFLAGS)
FUZZ_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

$(FUZZ_BUILD)/core/%.o: core/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_util.h $(FUZZ_CORE_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE_OBJ) \
		$(LIBS)

fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/corpus/.seeded: fuzz/seed-corpus.sh $(BIN)/flake-collector
	sh fuzz/seed-corpus.sh $(FUZZ_BUILD)/corpus $(BIN)/flake-collector
	@touch $@

fuzz-seed: $(FUZZ_BUILD)/corpus/.seeded

FUZZ_RUNS = $(FUZZ_NAMES:%=fuzz-run-%)
$(FUZZ_RUNS): fuzz-run-%: $(FUZZ_BUILD)/fuzz_% $(FUZZ_BUILD)/corpus/.seeded
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts/$* \
		$(FUZZ_BUILD)/logs
	@set -- fuzz/regressions/$*/*; if [ -f "$$1" ]; then \
		$(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$* "$$@" \
			>$(FUZZ_BUILD)/logs/$*.replay 2>&1 || { \
			tail -n 40 $(FUZZ_BUILD)/logs/$*.replay; \
			echo "fuzz_$*: FAILED replaying fuzz/regressions/$*"; \
			exit 1; }; \
		echo "fuzz_$*: replayed $$# regression input(s)"; fi
	@$(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$* -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_BUILD)/artifacts/$*/ $(FUZZ_FLAGS) \
		$(FUZZ_BUILD)/corpus/$* \
		$$([ -d fuzz/regressions/$* ] && echo fuzz/regressions/$*) \
		>$(FUZZ_BUILD)/logs/$*.log 2>&1; rc=$$?; \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
		$(FUZZ_BUILD)/logs/$*.log); \
	cov=$$(grep -o 'cov: [0-9]*' $(FUZZ_BUILD)/logs/$*.log | tail -n 1); \
	if [ $$rc -ne 0 ]; then \
		tail -n 60 $(FUZZ_BUILD)/logs/$*.log; \
		echo "fuzz_$*: CRASH (exit $$rc) after $${execs:-?} executions;" \
			"input in $(FUZZ_BUILD)/artifacts/$*/"; exit 1; fi; \
	echo "fuzz_$*: $${execs:-0} executions in $(FUZZ_SECONDS)s," \
		"$${cov:-cov: ?}, corpus $$(ls $(FUZZ_BUILD)/corpus/$* | wc -l)," \
		"no crash"

fuzz: $(FUZZ_RUNS)

# Long exploration: 10 minutes per target (make -j2 fuzz-long).
fuzz-long:
	$(MAKE) FUZZ_SECONDS=600 fuzz

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

.PHONY: fuzz fuzz-long fuzz-build fuzz-seed fuzz-clean $(FUZZ_RUNS)
.SECONDARY: $(FUZZ_CORE_OBJ)
-include $(FUZZ_CORE_OBJ:.o=.d)

.PHONY: all units test test-one check bench demo install clean
-include $(CORE_OBJ:.o=.d) $(COLLECTOR_OBJ:.o=.d) $(REPORTER_OBJ:.o=.d)
