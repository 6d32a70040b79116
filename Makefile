# sessionize builds. DuckDB is linked through cgo: every build needs
# CGO_ENABLED=1 and a C compiler for its target (scripts/release.sh says which).
#
#   make build      ./sessionize for this machine
#   make release    dist/sessionize-<os>-<arch> for linux and darwin, amd64 and
#                   arm64 (those whose compiler is installed), and dist/SHA256SUMS;
#                   TARGETS="linux/amd64" for fewer, STATIC=1 for static Linux binaries
#   make checksums  verifies dist/ against dist/SHA256SUMS

TARGETS ?=
# auto stamps the commit into the binary when this is a clone git can read.
BUILDVCS ?= auto

.PHONY: build release checksums clean

build:
	CGO_ENABLED=1 go build -buildvcs=$(BUILDVCS) -o sessionize ./cmd/sessionize

release:
	BUILDVCS=$(BUILDVCS) scripts/release.sh $(TARGETS)

checksums:
	cd dist && if command -v sha256sum >/dev/null; then sha256sum -c SHA256SUMS; else shasum -a 256 -c SHA256SUMS; fi

clean:
	rm -rf dist sessionize
