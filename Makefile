# The two commands a newcomer needs are `make run` and `make test`.

GO ?= go

# Go 1.26.8 has known vulnerabilities in net/http and html/template that
# govulncheck reports; the project runs on go1.27.3, which the go command
# fetches through the module proxy the first time (about 76 MB).
export GOTOOLCHAIN ?= go1.27.3

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

## fuzz: every fuzz target for FUZZTIME each (default 5s); the list and the last figures are in docs/SECURITY.md
FUZZTIME ?= 5s
fuzz:
	@failed=""; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' cmd internal e2e | xargs -n1 dirname | sort -u); do \
	  for target in $$(grep -h '^func Fuzz' $$dir/*_test.go | sed 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$dir $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) ./$$dir || failed="$$failed $$dir:$$target"; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz targets that failed:$$failed"; exit 1; fi
