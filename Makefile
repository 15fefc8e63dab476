# pp: the developer entry points. `make test` is what CI runs.
#   make deps   install the Debian packages pp needs (idempotent, seconds when done)
#   make build  configure and build into build/ (tools in build/bin/)
#   make test   deps + build + every test suite
#   make demo   run the main job on the shipped example

LLVM_PREFIX ?= /usr/lib/llvm-22
BUILD_DIR   ?= build
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian packages the build, the tests and the python exporters need.
DEBIAN_PACKAGES := cmake ninja-build g++ llvm-22-dev libmlir-22-dev mlir-22-tools \
  llvm-22-tools libgtest-dev libonnx-dev libprotobuf-dev protobuf-compiler \
  libonnx-testdata libopenblas-dev libopenblas-openmp-dev libdnnl-dev libopenmpi-dev openmpi-bin clang-22 \
  libclang-rt-22-dev python3-numpy python3-onnx python3-torch

.PHONY: deps build test check-lit check-unit fuzz demo docs clean

deps:
	@scripts/install-deps.sh $(DEBIAN_PACKAGES)

$(BUILD_DIR)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=Release \
	  -DMLIR_DIR=$(LLVM_PREFIX)/lib/cmake/mlir \
	  -DLLVM_DIR=$(LLVM_PREFIX)/lib/cmake/llvm \
	  -DLLVM_EXTERNAL_LIT=$(LLVM_PREFIX)/bin/lit \
	  $(CMAKE_FLAGS)

build: $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

check-lit: build
	cmake --build $(BUILD_DIR) --target check-pp

check-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# libFuzzer on the ONNX reader, the whole importer, the schedule text parser
# and .npy reading, FUZZ_SECONDS each (scripts/fuzz.sh).
FUZZ_SECONDS ?= 30
fuzz: build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh $(BUILD_DIR)

# Fuzzing comes last: the suites report first, and a fuzzer's finding is
# printed after them.
test: deps
	$(MAKE) build
	$(MAKE) check-unit
	$(MAKE) check-lit
	$(MAKE) fuzz

demo: deps
	$(MAKE) build
	@scripts/demo.sh $(BUILD_DIR)

# Regenerates docs/dialect.md and docs/passes.md from the ODS descriptions.
# The same mlir-tblgen commands as test/Docs/*-is-current.test.
TBLGEN_INCLUDES := -I $(LLVM_PREFIX)/include -I include
docs:
	$(LLVM_PREFIX)/bin/mlir-tblgen -gen-dialect-doc -dialect=pp $(TBLGEN_INCLUDES) \
	  include/pp/Dialect/PP/IR/PPOps.td > docs/dialect.md
	$(LLVM_PREFIX)/bin/mlir-tblgen -gen-pass-doc $(TBLGEN_INCLUDES) \
	  include/pp/Dialect/PP/Transforms/Passes.td > docs/passes.md

clean:
	rm -rf $(BUILD_DIR)
