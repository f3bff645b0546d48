# Three commands: `make test`, `make demo` and `make bench`. Everything else
# is CMake.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all build test demo bench deps clean

all: build

deps:
	scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo:
	scripts/install-deps --extras
	$(MAKE) build
	scripts/demo $(BUILD)

# Google Benchmark: cost of the discrete gradient over the gradient
# (docs/benchmarks.md). Pass flags with BENCH_ARGS=...
bench: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target bench_discrete_grad
	$(BUILD)/bench/bench_discrete_grad $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)
