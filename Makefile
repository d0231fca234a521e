# The two commands a new user runs (see README.md): `make run` and `make test`.
# Both install missing Debian packages first, then configure and build with CMake + Ninja.
RELEASE_DIR ?= build/release
ASAN_DIR ?= build/asan
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure --timeout 600
JOBS ?= $(shell nproc)
# ccache keys on relative paths, so a fresh clone on the same machine reuses earlier builds.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build build-asan run test test-release test-asan soak bench clean

all: build

deps:
	@scripts/install-deps.sh

$(RELEASE_DIR)/build.ninja: | deps
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

$(ASAN_DIR)/build.ninja: | deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTRATUS_SANITIZE=ON $(CMAKE_FLAGS)

build: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS)

build-asan: deps $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS)

# Starts the emulator on the quickstart example (Ctrl-C stops it).
run: build
	cd examples/quickstart && ../../$(RELEASE_DIR)/stratus start

# Every test, in the optimised build and in the AddressSanitizer + UBSan build.
# Soak tests (label "soak") run only with `make soak`.
test: build build-asan
	ctest --test-dir $(RELEASE_DIR) $(CTEST_FLAGS) -LE soak -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_DIR) $(CTEST_FLAGS) -LE soak -j $(JOBS)

soak: build
	ctest --test-dir $(RELEASE_DIR) $(CTEST_FLAGS) -L soak

bench: build
	bench/http.sh
	bench/startup.sh

clean:
	rm -rf build
