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

PKGS     = jansson sqlite3 libcurl libmicrohttpd libcrypto zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

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

.PHONY: all units test test-one check bench demo install clean
-include $(CORE_OBJ:.o=.d) $(COLLECTOR_OBJ:.o=.d) $(REPORTER_OBJ:.o=.d)
