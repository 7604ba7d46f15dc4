# storyreel: the top-level commands. The real build is CMake (CMakeLists.txt).
#   make          build build/storyreel
#   make test     install deps, build, run every test (SANITIZE=1: ASan+UBSan build in build-asan/)
#   make demo     install deps, build, render the sample storyboard through the API
#   make demo-cluster  the same through a fleet on this machine: PostgreSQL, S3 (s3rver), API + 2 render nodes
#   make bench    the story60 benchmark beside the ffmpeg reference (make bench-fleet: bench/fleet)
JOBS ?= $(shell nproc)
ifeq ($(SANITIZE),1)
BUILD ?= build-asan
CMAKE_FLAGS += -DSANITIZE=ON
else
BUILD ?= build
endif

.PHONY: all deps build test demo demo-cluster bench bench-fleet clean format

all: build

deps:
	@scripts/install-deps

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

test: deps
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

demo: deps
	@$(MAKE) --no-print-directory build
	scripts/demo

demo-cluster: deps
	@$(MAKE) --no-print-directory build
	scripts/demo-cluster

bench-fleet: deps
	@$(MAKE) --no-print-directory build
	bench/fleet

bench: deps
	@$(MAKE) --no-print-directory build
	bench/run

format:
	clang-format -i src/*/*.[ch] src/*/*/*.[ch] tests/*.c

clean:
	rm -rf build build-asan
