# `make test`, `make demo`, `make bench`, `make paper`; `make package` and
# `make install` (docs/install.md). Everything else is CMake.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all build test test-sanitize demo paper bench deps package install fuzz clean

all: build

deps:
	scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# dgc, its runtime, its tests and the programs its cache builds, all with
# -fsanitize=address,undefined in build-sanitize/ (its own cache key), then
# the suite but the packaging tests; fails on any test or sanitizer report
# (test/sanitize/run-sanitize, docs/reliability.md "Sanitizers").
test-sanitize:
	SANITIZE_JOBS="$(JOBS)" test/sanitize/run-sanitize

# dgc at work in minutes (scripts/demo): known energies with dg against RK4,
# DGNet on mass-spring at the paper's full budget, two pictures. The KdV
# DGNet experiment: `make paper ONLY=kdv`.
demo:
	scripts/install-deps --extras
	$(MAKE) $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target dgc dgc_dataset
	scripts/demo $(BUILD)

# The paper's Tables 2 and 3 (docs/results.md, results/paper.json); resumes.
# TRIALS=N SEEDS=A-B ONLY=dataset[,dataset] MODELS=... SCHEMES=... BUDGET=full|reduced|tiny
# PDE_DOPRI5_ITERS=N THREADS=N NUMERICS=exact|reference (scripts/paper --help).
paper: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target dgc dgc_dataset
	TRIALS="$(TRIALS)" SEEDS="$(SEEDS)" ONLY="$(ONLY)" MODELS="$(MODELS)" SCHEMES="$(SCHEMES)" \
	BUDGET="$(BUDGET)" PDE_DOPRI5_ITERS="$(PDE_DOPRI5_ITERS)" THREADS="$(THREADS)" \
	NUMERICS="$(NUMERICS)" \
	python3 scripts/paper --build $(BUILD)

# Google Benchmark: cost of the discrete gradient over the gradient
# (docs/benchmarks.md), then training and stepping of the four DGNet models
# in GFLOP/s (docs/performance.md). Pass flags to both with BENCH_ARGS=...
# (e.g. BENCH_ARGS=--benchmark_filter=kdv); bench/compare runs ours against
# PyTorch.
bench: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target bench_discrete_grad bench_dgnet
	$(BUILD)/bench/bench_discrete_grad $(BENCH_ARGS)
	$(BUILD)/bench/bench_dgnet $(BENCH_ARGS)

# libFuzzer targets (test/fuzz/README.md): the dg front end through C++
# emission, the .npy reader and the C++ front end, each for FUZZ_SECONDS
# (default 60), built with clang 14 and ASan/UBSan in build-fuzz/ (its own
# project, not $(BUILD)). Fails on any crash, leak, timeout or sanitizer report.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS="$(FUZZ_SECONDS)" test/fuzz/run-fuzz

# The Debian package dgc_<version>_amd64.deb in $(BUILD) (cmake/Package.cmake),
# and an install into PREFIX (docs/install.md).
package: build
	cd $(BUILD) && cpack

PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD)
