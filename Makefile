# shipshape: build, run and test. `make test` is the test command CI runs.
GO      ?= go
BIN     ?= bin/shipshape
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test test-engines test-short bench lint fuzz clean

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/shipshape

run:
	$(GO) run ./cmd/shipshape

# Every test, including the ones against the real Docker daemon (they skip
# with a message when no daemon answers, unless SHIPSHAPE_REQUIRE_DOCKER=1).
test: lint
	$(GO) test -count=1 -timeout 20m ./...

# The Docker-dependent tests again on Engine 26, with the classic and with
# the containerd image store, each run in a container of the host daemon
# (exercises/testbed). Needs root, debootstrap and Debian's archive the
# first time; later runs start each engine from a cached tarball.
test-engines:
	bash exercises/testbed/matrix.sh

# Unit tests only: no Docker daemon needed.
test-short:
	$(GO) test -short ./...

# Benchmarks compare each target with its baseline in the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l cmd internal lessons exercises 2>/dev/null); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# A short fuzzing session of every fuzz target.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzLoadLesson -fuzztime 30s ./internal/course/

clean:
	rm -rf bin
