# pm25: one non-recursive Makefile. `make` builds ./pm25; `make test` runs
# every test; `make run` runs the main job on the bundled data.
#
# Knobs: SANITIZE=address,undefined  CC=clang  DEVELOPER=1  V=1  NO_DEPS=1

CC ?= cc
PKGS = libcurl jansson yaml-0.1 libgit2 sqlite3 libpq zlib libmicrohttpd \
       libcrypto libdeflate
DEB_PKGS = pkg-config libcurl4-openssl-dev libjansson-dev libyaml-dev libgit2-dev \
	   libsqlite3-dev libpq-dev zlib1g-dev libmicrohttpd-dev libssl-dev \
	   libdeflate-dev tzdata
VERSION = 0.1.0

WARN = -std=c11 -Wall -Wextra -Werror -Wstrict-prototypes \
       -Wmissing-prototypes -Wvla -Wwrite-strings -Wold-style-definition \
       -fno-common
ifdef DEVELOPER
WARN += -pedantic
endif
CFLAGS ?= -O2 -g
# libcurl, libgit2, libpq, libmicrohttpd and libcrypto are not linked:
# pm25 loads each on first use (include/pm25/dl.h), by the soname of the
# library it was built with.
DL_PKGS = libcurl libgit2 libpq libmicrohttpd libcrypto
soname = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(1).so" \
	   2>/dev/null | sed -n 's/^ *SONAME *//p')
ALL_CFLAGS = $(CFLAGS) $(WARN) -Iinclude -DPM25_VERSION='"$(VERSION)"' \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	     -DPM_SO_CURL='"$(call soname,libcurl)"' \
	     -DPM_SO_GIT='"$(call soname,libgit2)"' \
	     -DPM_SO_PQ='"$(call soname,libpq)"' \
	     -DPM_SO_MHD='"$(call soname,libmicrohttpd)"' \
	     -DPM_SO_CRYPTO='"$(call soname,libcrypto)"'
LIBS = $(shell pkg-config --libs $(filter-out $(DL_PKGS),$(PKGS)) 2>/dev/null) \
       -ldl -lm -lpthread
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
BUILD = build/$(notdir $(CC))-san
else
BUILD = build/$(notdir $(CC))-rel
endif
ifndef V
QUIET_CC = @echo "   CC $@";
endif

LIB_SRC = $(wildcard lib/util/*.c) $(wildcard lib/*.c) \
	  $(wildcard lib/sources/*.c) $(wildcard lib/quality/*.c) \
	  $(wildcard lib/store/*.c) $(wildcard lib/report/*.c) \
	  $(wildcard lib/state/*.c) $(wildcard lib/orch/*.c) \
	  $(wildcard lib/flows/*.c)
CLI_SRC = $(wildcard cli/*.c) $(wildcard server/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = tests/unit/main.c $(wildcard tests/unit/test-*.c)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)

# NO_DEPS=1 skips the package check (an image build brings its own).
ifdef NO_DEPS
DEPS =
else
DEPS = deps
endif

all: $(DEPS) pm25

# Installs missing Debian packages (as root) the first time.
deps:
	@scripts/install-deps.sh build $(DEB_PKGS)

# ./pm25 is a copy of the last configuration built.
pm25: $(BUILD)/pm25 FORCE
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }

FORCE:

# the API's response schemas are compiled in as written (.incbin)
$(BUILD)/server/schemas.o: server/openapi-schemas.json

$(BUILD)/pm25: $(CLI_OBJ) $(BUILD)/libpm25.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libpm25.a $(LIBS)

$(BUILD)/libpm25.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# Order-only: the packages are there before anything compiles, even with -j.
$(BUILD)/%.o: %.c $(wildcard include/pm25/*.h lib/*.h lib/*/*.h cli/*.h server/*.h tests/unit/*.h) | $(DEPS)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/unit-tests: $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libpm25.a
	$(CC) $(LDFLAGS) -o $@ $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/libpm25.a $(LIBS)

$(BUILD)/fuzz-replay-%: $(BUILD)/tests/fuzz/fuzz-%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/libpm25.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/test-server: $(BUILD)/tests/helpers/test-server.o
	$(CC) $(LDFLAGS) -o $@ $^

FUZZ_NAMES = $(FUZZ_SRC:tests/fuzz/fuzz-%.c=%)
FUZZ_REPLAY = $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay-%)

test: all $(BUILD)/unit-tests $(FUZZ_REPLAY) $(BUILD)/test-server
	@scripts/install-deps.sh test python3 python3-yaml python3-pandas python3-sklearn git curl \
		podman buildah debootstrap runc \
		postgresql prometheus
	@scripts/browser-deps.sh
	@BUILD=$(BUILD) tests/run.sh

# libFuzzer builds of every target (clang).
fuzz:
	@mkdir -p build/fuzz
	@for n in $(FUZZ_NAMES); do \
		echo "fuzz-$$n"; \
		clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
			$$(pkg-config --cflags $(PKGS)) -o build/fuzz/fuzz-$$n \
			tests/fuzz/fuzz-$$n.c $(LIB_SRC) $(LIBS) || exit 1; \
	done

run: all
	@scripts/make-run.sh

# The server on the home that make run built (PM25_HOME, ./pm25-home).
serve: all
	@scripts/serve.sh

check-style:
	@scripts/checksrc && echo "check-style: clean"

# What the CI workflow's lint job runs (LINT_BASE: what "changed" is
# measured from, default HEAD~1).
lint:
	@scripts/install-deps.sh lint git clang-format cppcheck shellcheck
	@scripts/browser-deps.sh
	@scripts/checksrc
	@scripts/lint.sh

# The image of Containerfile (scripts/image.sh): IMAGE_TAGS to tag it,
# PUSH=1 to push with its SBOM and provenance (docker buildx).
image:
	@scripts/image.sh

# CI's deployment: DEPLOYMENT's image becomes IMAGE, through the server
# at PM25_API_URL with PM25_API_TOKEN.
deploy-image: all
	@[ -n "$(DEPLOYMENT)" ] && [ -n "$(IMAGE)" ] || \
		{ echo "make deploy-image DEPLOYMENT=flow/name IMAGE=ref" >&2; exit 2; }
	@[ -n "$$PM25_API_URL" ] || { echo "make deploy-image: set PM25_API_URL" >&2; exit 2; }
	./pm25 deployment update "$(DEPLOYMENT)" --image "$(IMAGE)"

clean:
	rm -rf build pm25

.PRECIOUS: $(BUILD)/%.o
# The production stack (compose.prod.yaml and .env; scripts/stack.sh).
deploy-prod:
	@scripts/stack.sh deploy-prod

down:
	@scripts/stack.sh down

# DEPLOYMENT=flow/name [TO=version]: its previous version (image and
# parameters), its pool's worker on that image, the failed run's data.
rollback: all
	@[ -n "$(DEPLOYMENT)" ] || \
		{ echo "make rollback DEPLOYMENT=flow/name [TO=version]" >&2; exit 2; }
	@scripts/stack.sh rollback "$(DEPLOYMENT)" "$(TO)"

# The image and both stacks, built and run here (tests/image/run.sh).
image-test: all
	@scripts/install-deps.sh image-test buildah podman podman-compose docker-compose python3-yaml \
		skopeo umoci debootstrap runc curl
	@tests/image/run.sh

.PHONY: all deps test fuzz run serve check-style lint image deploy-image \
	deploy-prod down rollback image-test clean FORCE
