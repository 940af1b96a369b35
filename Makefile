# stripe-infor: see README.md. Every target works on a fresh clone with Go
# installed; `make test` also needs redis-server (.ci/run installs it).
GO        ?= go
BIN       := bin/stripe-infor
PKGS      := ./...
FUZZTIME  ?= 5s
STATICCHECK_VERSION := v0.8.2

.PHONY: run build test test-unit fuzz bench lint fmt clean schemas-check schemas-freeze

## run: the whole pipeline on this machine (embedded broker, registry, Redis), data in ./.data
run: build
	exec ./$(BIN) dev

## build: the one binary, into bin/
build:
	$(GO) build -trimpath -o $(BIN) ./cmd/stripe-infor

## test: the schema evolution check, vet, the full suite with the race detector and real servers, the allocation check, a short fuzz run
test: schemas-check test-unit fuzz

test-unit:
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 8m $(PKGS)
	@# sync.Pool behaves differently under -race, so the hot path's zero-allocation check runs without it.
	$(GO) test -count=1 -run 'DoesNotAllocate' ./producer/

## fuzz: run each fuzz target for FUZZTIME (default 5s) on top of its seed corpus
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseSignatureHeader$$' -fuzztime $(FUZZTIME) ./producer/
	$(GO) test -run '^$$' -fuzz '^FuzzParseEnvelope$$' -fuzztime $(FUZZTIME) ./producer/
	$(GO) test -run '^$$' -fuzz '^FuzzWebhookRequest$$' -fuzztime $(FUZZTIME) ./producer/
	$(GO) test -run '^$$' -fuzz '^FuzzTransform$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./processors/transform/

## schemas-check: every Avro schema valid, BACKWARD compatible with its frozen versions (schemas/versions) and frozen
schemas-check:
	$(GO) run ./schemas/cmd/schemas-check

## schemas-freeze: record each changed Avro schema as its subject's next version (refused when not BACKWARD compatible)
schemas-freeze:
	$(GO) run ./schemas/cmd/schemas-check -freeze

## bench: webhook ingest load test (bare net/http vs producer with acks=all), processors (transform and consume-transform-produce vs an encoding/json+Avro floor) and micro-benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./producer/
	$(GO) run ./bench/webhook -duration 10s -concurrency 64
	$(GO) test -run '^$$' -bench 'Transform' -benchmem ./processors/transform/
	$(GO) run ./bench/processor

## lint: gofmt, go vet, staticcheck (fetched from the Go module proxy)
lint:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
