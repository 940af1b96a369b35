# The stripe-infor image: one static binary, every stage a subcommand
# (`producer`, `processor`, `sink`, ...), run as a non-root user on a
# distroless base with nothing else in it (no shell, no package manager), so
# the pod can run with a read-only root filesystem and all capabilities
# dropped.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t stripe-infor .
#
# BuildKit (the default builder) is needed for the cache mounts below; they
# only speed up rebuilds and change nothing in the image.

ARG GO_VERSION=1.26

# --platform=$BUILDPLATFORM: cross-compile natively (pure Go, CGO off) rather
# than under emulation when building for another architecture.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src

# Dependencies first, so a source change does not download modules again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY . .
# Set by BuildKit from --platform (e.g. linux/arm64); the shell defaults
# below apply when they are not.
ARG TARGETOS
ARG TARGETARCH
# VERSION is what `stripe-infor version` prints (cmd/stripe-infor: main.version).
ARG VERSION=dev
# CGO off: a static binary that needs no libc, so it runs on distroless/static.
# -trimpath and -s -w: no build paths, no symbol tables, a smaller image.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH:-amd64} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/stripe-infor ./cmd/stripe-infor

# distroless/static carries CA certificates (Stripe, Infor's ION API, MSK and
# Confluent Cloud over TLS use the system roots), tzdata and /etc/passwd with
# the nonroot user (65532), and nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stripe-infor /stripe-infor
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
# producer (webhook + metrics), processor and sink (health + metrics).
EXPOSE 8080 8082 8083
ENTRYPOINT ["/stripe-infor"]
CMD ["--help"]
