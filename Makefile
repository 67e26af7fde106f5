# casereel build. `make` builds bin/casereel; `make run` serves the demo;
# `make test` runs the whole suite. SANITIZE=1 builds everything with
# ASan+UBSan into build/asan and bin/asan, SANITIZE=thread with TSan into
# build/tsan and bin/tsan, so the builds never mix.

# As many compile and test jobs as the machine has cores (sub-makes share
# the top one's job slots).
JOBS := $(shell nproc 2>/dev/null || echo 2)
ifeq ($(MAKELEVEL),0)
  MAKEFLAGS += -j$(JOBS)
endif

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
  VARIANT := asan
  BINDIR  := bin/asan
  SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  OPT := -O1
  # tests/lsan.supp names the leaks inside uninstrumented libraries, one
  # documented entry each.
  export LSAN_OPTIONS ?= suppressions=$(CURDIR)/tests/lsan.supp print_suppressions=0
else ifeq ($(SANITIZE),thread)
  VARIANT := tsan
  BINDIR  := bin/tsan
  SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
  OPT := -O1
  # Any report fails the run; tests/tsan.supp names the races TSan cannot
  # judge (inside uninstrumented libraries), one documented entry each.
  export TSAN_OPTIONS ?= halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp
else ifneq ($(SANITIZE),0)
  $(error SANITIZE is 0, 1 (ASan+UBSan) or thread (TSan), not '$(SANITIZE)')
else
  VARIANT := release
  BINDIR  := bin
  SANFLAGS :=
  OPT := -O2
endif
BUILD := build/$(VARIANT)

CC ?= gcc
SERVER_PKGS := libmicrohttpd sqlite3 jansson libsodium zlib
AV_PKGS     := libavformat libavcodec libavfilter libswscale libswresample libavutil

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla
CFLAGS   := -std=c17 -D_GNU_SOURCE $(OPT) -g $(WARN) $(SANFLAGS) -Iinclude -Isrc -MMD -MP
LDFLAGS  := $(SANFLAGS)
SERVER_CFLAGS := $(shell pkg-config --cflags $(SERVER_PKGS) 2>/dev/null)
# libunistring (NFC for what people type) and libcrack2 (new passwords
# against a dictionary) ship no pkg-config file.
CRACK_LIBS    := -lcrack
SERVER_LIBS   := $(shell pkg-config --libs $(SERVER_PKGS) 2>/dev/null) -lunistring $(CRACK_LIBS) -lpthread -lm
AV_CFLAGS     := $(shell pkg-config --cflags $(AV_PKGS) 2>/dev/null)
AV_LIBS       := $(shell pkg-config --libs $(AV_PKGS) 2>/dev/null)

# Server core: everything under src/ but main.c, so unit tests can link it.
# Sources live one folder deep by layer (src/http, src/feed, ...).
CORE_SRCS := $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
# The OpenAPI document, docs/openapi.yaml, as JSON: build/openapi.json (what
# the e2e tests check answers against) and the same bytes compiled into the
# server (build/gen/openapi_json.c, served at /api/v1/openapi.json). jansson
# reads no YAML, so node (with tests/node_modules, from make deps) converts it.
OPENAPI_JSON := build/openapi.json
OPENAPI_C    := build/gen/openapi_json.c
CORE_OBJS += $(BUILD)/gen/openapi_json.o
MAIN_OBJ  := $(BUILD)/src/main.o
# $(call src_of,a.c b.c): where those core sources live, whatever their folder.
src_of = $(filter $(addprefix %/,$(1)),$(CORE_SRCS))

# Unit tests mirror src/: tests/unit/<layer>/test_<module>.c.
UNIT_SRCS  := $(wildcard tests/unit/test_*.c tests/unit/*/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps run test unit e2e clean format format-check layering-check fuzz fuzz-run test-tsan bench-http openapi-lint

all: $(BINDIR)/casereel $(OPENAPI_JSON) web-build build/casereel.1

# The transcode library and its CLI live in transcode/ with their own rules.
# They define TRANSCODE_LIB, TRANSCODE_BIN and TRANSCODE_OBJS.
-include transcode/transcode.mk
all: $(TRANSCODE_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SERVER_CFLAGS) $(AV_CFLAGS) -c $< -o $@

$(OPENAPI_JSON) $(OPENAPI_C) &: docs/openapi.yaml tests/openapi/build.mjs
	node tests/openapi/build.mjs docs/openapi.yaml $(OPENAPI_JSON) $(OPENAPI_C)

$(BUILD)/gen/openapi_json.o: $(OPENAPI_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libcasereel-core.a: $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BINDIR)/casereel: $(MAIN_OBJ) $(BUILD)/libcasereel-core.a $(TRANSCODE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(SERVER_LIBS) $(AV_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcasereel-core.a $(TRANSCODE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SERVER_CFLAGS) -o $@ $^ $(LDFLAGS) $(SERVER_LIBS) $(AV_LIBS) -lcmocka

# --- web client, manual page, install ------------------------------------------
# packaging/install.mk: build/web (the web client under a content hash, with
# gzip twins), build/casereel.1 (from `casereel man`), install, uninstall,
# install-check.
include packaging/install.mk

# --- dependencies -----------------------------------------------------------
# Debian packages the build, the tests and the benchmarks need. Checked with
# dpkg-query so a machine that has them all pays well under a second.
DEB_PKGS := build-essential pkg-config libmicrohttpd-dev libsqlite3-dev \
  libjansson-dev libsodium-dev libunistring-dev libavformat-dev libavcodec-dev libavfilter-dev \
  libswscale-dev libswresample-dev libavutil-dev libcmocka-dev ffmpeg \
  nginx-light wrk sqlite3 tzdata curl jq ca-certificates clang libclang-rt-14-dev \
  fonts-dejavu-core fonts-wqy-zenhei chromium clang-format \
  libcrack2-dev cracklib-runtime openssl zlib1g-dev prometheus systemd man-db
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@command -v node >/dev/null || { DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q nodejs npm; }
	@if [ ! -f tests/node_modules/.stamp ] || [ tests/package-lock.json -nt tests/node_modules/.stamp ]; then \
	  cd tests && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp; fi
	@mkdir -p web/vendor && cp -u tests/node_modules/hls.js/dist/hls.min.js \
	  tests/node_modules/tus-js-client/dist/tus.min.js web/vendor/

# --- run and test -------------------------------------------------------------
RUN_DATA ?= .data
run: deps
	@$(MAKE) --no-print-directory all
	$(BINDIR)/casereel serve --port 8080 --bind 127.0.0.1 --data $(RUN_DATA) --demo

# JOBS unit tests at once, each one's output kept and shown whole, in order.
unit: $(UNIT_BINS)
	@tests/run_parallel.sh $(JOBS) $(BUILD)/unit-logs $(UNIT_BINS)

e2e: all
	cd tests && CASEREEL_BIN=$(CURDIR)/$(BINDIR) node --test --test-concurrency=2 e2e/

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@$(MAKE) --no-print-directory openapi-lint
	@$(MAKE) --no-print-directory unit
	@[ "$(SANITIZE)" != 0 ] || $(MAKE) --no-print-directory install-check
	@$(MAKE) --no-print-directory e2e

# Fuzz harnesses build with clang's libFuzzer, each linked with only the
# modules it exercises: `make fuzz`, then
# build/fuzz/fuzz_<name> tests/fuzz/corpus/<name> -max_total_time=60
fuzz: $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/fuzz_csv: $(call src_of,csv.c)
build/fuzz/fuzz_router: $(call src_of,router.c)
build/fuzz/fuzz_fields: $(call src_of,fields.c response.c text.c error.c)
build/fuzz/fuzz_tus: $(call src_of,tus.c)
build/fuzz/fuzz_range: $(call src_of,range.c)
build/fuzz/fuzz_cursor: $(call src_of,feed_cursor.c)
build/fuzz/fuzz_log_line: $(call src_of,log_line.c text.c error.c)
build/fuzz/fuzz_accept: $(call src_of,accept_encoding.c)
build/fuzz/fuzz_captions: $(call src_of,captions_parse.c text.c error.c)
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Iinclude -Isrc \
	  -fsanitize=fuzzer,address,undefined $(SERVER_CFLAGS) -o $@ $^ $(SERVER_LIBS)

# Each harness for FUZZ_SECONDS (JOBS of them at once), starting from its
# corpus in tests/fuzz/corpus; what it finds new goes to build/fuzz/corpus,
# so the tree stays clean.
FUZZ_SECONDS ?= 20
FUZZ_RUNS := $(FUZZ_SRCS:tests/fuzz/%.c=fuzz-run-%)
.PHONY: $(FUZZ_RUNS)
fuzz-run: $(FUZZ_RUNS)
$(FUZZ_RUNS): fuzz-run-%: build/fuzz/%
	@name=$*; name=$${name#fuzz_}; mkdir -p build/fuzz/corpus/$$name tests/fuzz/corpus/$$name; \
	  build/fuzz/$* build/fuzz/corpus/$$name tests/fuzz/corpus/$$name \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 > build/fuzz/$*.log 2>&1 \
	    || { tail -n 60 build/fuzz/$*.log; echo "fuzz-run: $* failed"; exit 1; }; \
	  echo "== $*, $(FUZZ_SECONDS) s: $$(grep -E '^stat::number_of_executed_units' build/fuzz/$*.log)"

# ThreadSanitizer over what runs on several threads at once: the unit
# tests of the store, ledger, jobs, upload quota, throttle and feed cursor;
# then, against bin/tsan, the ledger (points), shutdown, query timeout and
# CSV export (a body made on the HTTP threads, cut by a stop) e2e files whole,
# and the upload quota, login throttle and catalogue (feed paging during a
# like storm, concurrent likers) tests of three more. Kept small: every
# clip is transcoded under TSan too, which is slow.
TSAN_UNITS := store/test_store store/test_deadline points/test_ledger media/test_jobs media/test_uploads media/test_upload_locks \
  http/test_throttle feed/test_feed_cursor
TSAN_E2E := e2e/points.test.mjs e2e/shutdown.test.mjs e2e/query_timeout.test.mjs e2e/csv_export.test.mjs
TSAN_E2E_PICKED := e2e/uploads.test.mjs e2e/auth.test.mjs e2e/feed.test.mjs
TSAN_E2E_PATTERN := quota|throttled|cursor pages|concurrent likers
test-tsan: deps
	@$(MAKE) --no-print-directory SANITIZE=thread all $(TSAN_UNITS:%=build/tsan/tests/%)
	@$(MAKE) --no-print-directory SANITIZE=thread tsan-selection

.PHONY: tsan-selection
tsan-selection:
	@[ "$(SANITIZE)" = thread ] || { echo "tsan-selection needs SANITIZE=thread: run make test-tsan"; exit 2; }
	@tests/run_parallel.sh $(JOBS) $(BUILD)/unit-logs $(TSAN_UNITS:%=$(BUILD)/tests/%)
	cd tests && CASEREEL_BIN=$(CURDIR)/$(BINDIR) node --test --test-concurrency=2 \
	  --test-name-pattern='$(TSAN_E2E_PATTERN)' $(TSAN_E2E_PICKED)
	cd tests && CASEREEL_BIN=$(CURDIR)/$(BINDIR) node --test --test-concurrency=2 $(TSAN_E2E)

# The OpenAPI document against Redocly's recommended rules (redocly.yaml).
# No telemetry or update check leaves the build machine.
openapi-lint:
	cd tests && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  npx --no-install redocly lint --config ../redocly.yaml ../docs/openapi.yaml

bench-http: all
	bench/http.sh

# Offline ranking evaluation: links the very rank.o (and loop_stats.o, for
# --loop-days) the server ships.
# `make rank-eval RANK_EVAL_ARGS="--runs 5 -p gravity=0.6"` passes flags.
.PHONY: rank-eval
rank-eval: $(BUILD)/bench/rank_eval
	$(BUILD)/bench/rank_eval $(RANK_EVAL_ARGS)

$(BUILD)/bench/rank_eval: $(BUILD)/bench/rank_eval.o $(patsubst %.c,$(BUILD)/%.o,$(call src_of,rank.c candidates.c loop_stats.c))
	$(CC) $(LDFLAGS) -o $@ $^ -lm
-include $(BUILD)/bench/rank_eval.d

# The learning loop's benchmark (bench/metrics.sh): the server's own modules.
$(BUILD)/bench/loop_bench: bench/loop_bench.c $(BUILD)/libcasereel-core.a $(TRANSCODE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SERVER_CFLAGS) -o $@ $^ $(LDFLAGS) $(SERVER_LIBS) $(AV_LIBS)

# One clang-format style for every C file in the tree (.clang-format).
FORMAT_FILES = $$(git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: every C file matches .clang-format"

# Domain and store code includes no HTTP header; src/api/ runs no SQL (its
# domain modules do). Prints every violation.
layering-check:
	@.ci/layering.sh

clean:
	rm -rf build bin

-include $(CORE_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(TRANSCODE_OBJS:.o=.d)
