# The habits: make build, make test, make lint, make bench. CI runs scripts/test,
# which is what `make test` runs too.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: build test lint fuzz bench dist clean

build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o bin/totalrec ./cmd/totalrec

test:
	./scripts/test

lint:
	test -z "$$(gofmt -l .)"
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# A longer fuzzing session than the seed corpus run in `make test`.
fuzz:
	go test -run '^$$' -fuzz FuzzParseName -fuzztime 3000000x ./recordings/spool/
	go test -run '^$$' -fuzz FuzzProbe -fuzztime 3000000x ./recordings/spool/

bench:
	./bench/run

# The release tarball: a static linux/amd64 totalrec, the module, the overrides and
# install.sh.
dist:
	./scripts/dist

clean:
	rm -rf bin dist
