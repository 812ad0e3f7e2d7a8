# The two commands a newcomer needs are `make run` and `make test`.

GO ?= go

.PHONY: run test build fuzz

## run: serve Buzón on the embedded default (SQLite in ./data, http://localhost:8080)
run:
	$(GO) run ./cmd/buzon serve --dev

## test: every test, the store tests on SQLite and (with BUZON_TEST_POSTGRES_URL) PostgreSQL, and the browser tests
test:
	$(GO) test -count=1 -timeout 20m ./...

## build: the buzon binary
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o buzon ./cmd/buzon
