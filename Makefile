# stripe-infor: see README.md. Every target works on a fresh clone with Go
# installed; `make test` also needs redis-server (.ci/run installs it).
GO        ?= go
BIN       := bin/stripe-infor
PKGS      := ./...
FUZZTIME  ?= 5s
STATICCHECK_VERSION := v0.8.2

.PHONY: run build test test-unit fuzz bench lint fmt clean schemas-check schemas-freeze demo

## run: the whole pipeline on this machine (embedded broker, registry, Redis), data in ./.data
run: build
	exec ./$(BIN) dev

## demo: with `make run` up in another terminal, send a realistic day of Stripe events and print the reconciliation (DEMOFLAGS="--customers 50 --seed 7")
demo:
	$(GO) run ./cmd/stripe-infor demo $(DEMOFLAGS)

## build: the one binary, into bin/
build:
	$(GO) build -trimpath -o $(BIN) ./cmd/stripe-infor

## test: the schema evolution check, vet, the full suite with the race detector and real servers, the allocation check, a short fuzz run
test: schemas-check test-unit fuzz helm-test

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
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeMIResponse$$' -fuzztime $(FUZZTIME) ./infor/
	$(GO) test -run '^$$' -fuzz '^FuzzEncodeQuery$$' -fuzztime $(FUZZTIME) ./infor/

## helm-test: helm lint and template of deploy/helm/stripe-infor (defaults and every feature on), then the
## strict decoding of every rendered manifest into the Kubernetes API types (deploy/helm/chartcheck, its own module)
HELM_VERSION := v3.22.0
# Versioned directory, so changing HELM_VERSION installs the new one. Built from source with the Go module
# proxy (the only registry CI reaches); it assumes Kubernetes v1.20 unless told, hence --kube-version.
HELM_BIN     := $(CURDIR)/.bin/helm-$(HELM_VERSION)/helm
CHART        := deploy/helm/stripe-infor
CHART_KUBE   := 1.27.0
.PHONY: helm-test
helm-test: $(HELM_BIN)
	$(HELM_BIN) lint --strict $(CHART)
	$(HELM_BIN) lint --strict $(CHART) -f $(CHART)/ci/all-features-values.yaml
	$(HELM_BIN) template stripe-infor $(CHART) --kube-version $(CHART_KUBE) >/dev/null
	$(HELM_BIN) template stripe-infor $(CHART) --kube-version $(CHART_KUBE) -f $(CHART)/ci/all-features-values.yaml >/dev/null
	cd deploy/helm/chartcheck && HELM=$(HELM_BIN) $(GO) test -count=1 ./...

$(HELM_BIN):
	GOBIN=$(dir $(HELM_BIN)) $(GO) install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

## schemas-check: every Avro schema valid, BACKWARD compatible with its frozen versions (schemas/versions) and frozen
schemas-check:
	$(GO) run ./schemas/cmd/schemas-check

## schemas-freeze: record each changed Avro schema as its subject's next version (refused when not BACKWARD compatible)
schemas-freeze:
	$(GO) run ./schemas/cmd/schemas-check -freeze

## bench: webhook ingest load test (bare net/http vs producer with acks=all), processors (transform and consume-transform-produce vs an encoding/json+Avro floor), the Infor sink (commands/s vs the M3 adapter applied directly, at 0 and 20 ms emulator latency) and micro-benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./producer/
	$(GO) run ./bench/webhook -duration 10s -concurrency 64
	$(GO) test -run '^$$' -bench 'Transform' -benchmem ./processors/transform/
	$(GO) run ./bench/processor
	$(GO) run ./bench/sink
	$(GO) run ./bench/e2e

## lint: gofmt, go vet, staticcheck (fetched from the Go module proxy)
lint:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
