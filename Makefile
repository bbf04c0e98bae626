# Top-level entry points: `make` builds build/yuqing, `make test` runs every test (also under
# ASan+UBSan), `make demo` shows the engine at work, `make install PREFIX=...`.
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)

.PHONY: all deps build test demo bench install clean fuzz

all: build

deps:
	@tools/install-deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DYQ_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)

test: build build-asan
	cd build && ctest --output-on-failure -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -LE slow

demo: build
	@tools/demo.sh

bench: build
	./build/bench_engine

install: build
	cmake --install build --prefix $(PREFIX)

# libFuzzer targets for the GGUF and safetensors readers (clang; scalar kernels only: clang 14
# lacks the "f16c" CPU feature name), each run FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz: deps
	@command -v clang >/dev/null || { echo "make fuzz: needs clang with libFuzzer (apt-get install clang)"; exit 1; }
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DYQ_FUZZ=ON \
		-DYQ_HAVE_AVX2_FLAGS=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_gguf fuzz_safetensors
	tests/fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz

.PHONY: build-asan
