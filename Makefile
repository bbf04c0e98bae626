# Top-level entry points: `make` builds build/yuqing, `make test` runs every test (also under
# ASan+UBSan), `make demo` shows the engine at work, `make install PREFIX=...`.
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)

.PHONY: all deps build test demo bench install clean

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

clean:
	rm -rf build build-asan

.PHONY: build-asan
