# seclabel: make run serves the playground; make test runs every check.
GO       ?= go
BIN      := bin/seclabel
FUZZTIME ?= 30s

.PHONY: all build run test test-short java check fmt vet staticcheck tidy wasip1 imports wasm wasmcheck web webcheck bench gobench fuzz generate accuracy clean

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/seclabel

# Put seclabel on the PATH: go install writes it to $GOBIN, or to
# $(go env GOPATH)/bin when GOBIN is not set.
.PHONY: install
install:
	$(GO) install -trimpath ./cmd/seclabel
	@dir="$$($(GO) env GOBIN)"; [ -n "$$dir" ] || { gp="$$($(GO) env GOPATH)"; dir="$${gp%%:*}/bin"; }; \
	echo "installed $$dir/seclabel"; \
	case ":$$PATH:" in *":$$dir:"*) ;; *) echo "$$dir is not on your PATH: export PATH=\"$$dir:\$$PATH\"";; esac

# Serve the playground on http://localhost:8080 (ADDR=host:port for another).
ADDR ?= localhost:8080
run: build
	./$(BIN) serve --addr $(ADDR)

# Everything a user should run: the static checks, then every test (with the
# race detector) including the golden corpus, the CLI tests and, when
# ../shared/data is present, the R4 example package and the Synthea bundles;
# the Beam pipeline's tests on Prism (a module of its own, run without the
# race detector so Beam's many dependencies are built once, not twice);
# then, without the race detector, the jump pass's oracle (the engine's and
# the JSON parser's tests built for wasip1, rewritten and run in wazero);
# then the JavaScript and Python packages' tests.
test: check
	$(GO) test -race -count=1 -timeout 30m ./...
	cd $(BEAMDIR) && $(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -run '^TestOracle' ./internal/wasmjump
	node --test web/test/
	$(MAKE) --no-print-directory pytest-host
	$(MAKE) --no-print-directory java

# The Python package (host/python) and its tests, the golden corpus among
# them, in a virtualenv cached in ~/.cache/seclabel; skipped
# without python3 3.11+ and venv unless CI is set (host/python/test.sh).
.PHONY: pytest-host
pytest-host:
	host/python/test.sh

# The Java host (host/java): the golden corpus through the Seclabel class and
# the HAPI FHIR interceptor on a server in embedded Jetty. Maven keeps what it
# downloads in ~/.m2. Without mvn or java it is skipped, unless CI is set.
java:
	@if command -v mvn >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then \
		cd host/java && mvn -q -B test; \
	elif [ -n "$$CI" ]; then echo "make java: mvn and java are required when CI is set"; exit 1; \
	else echo "make java: skipped, mvn or java not found (apt-get install openjdk-17-jdk-headless maven)"; fi

# The edit-test loop: the Go tests with -short and without the race
# detector, leaving out the packages that run the module or a browser (host,
# web, internal/wasmjump) and the benchmark harness; tests of the shared data
# (R4 examples, Synthea) skip. Unchanged packages' results come from the
# test cache.
SHORTSKIP := /(host|web|bench|bench/harness|internal/wasmjump)$$
test-short:
	$(GO) test -short $$($(GO) list ./... | grep -v -E '$(SHORTSKIP)')

check: fmt vet staticcheck tidy wasip1 imports wasmcheck webcheck

fmt:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# cmd/seclabel-beam is a module of its own (Apache Beam's dependencies stay
# out of the main module's): its checks run in it.
BEAMDIR := cmd/seclabel-beam

vet:
	$(GO) vet ./...
	cd $(BEAMDIR) && $(GO) vet ./...

# staticcheck at a pinned version, through go run: built once into Go's
# build cache by the Go that runs it (go.mod does not list it). Then the
# module's main package as built for wasip1 (-exec runs the native binary
# with the target in its environment).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
staticcheck:
	$(GO) run $(STATICCHECK) ./...
	$(GO) run -exec 'env $(WASMFLAGS)' $(STATICCHECK) ./wasm/...
	cd $(BEAMDIR) && $(GO) run $(STATICCHECK) ./...

tidy:
	$(GO) mod tidy -diff
	cd $(BEAMDIR) && $(GO) mod tidy -diff

# The engine is plain Go that must build for WebAssembly (WASI preview 1).
wasip1:
	GOOS=wasip1 GOARCH=wasm $(GO) build ./engine/...

# The WebAssembly module, committed where host/ embeds it (go get users need
# no build step). The build is reproducible: same Go, same bytes. Go's output
# then goes through internal/wasmjump, which turns the jumps Go routes
# through each function's dispatch table into direct branches. Functions
# that hold closures are not inlined: in WebAssembly that inlining costs
# 6 KB gzip and no measurable speed. Nothing is inlined into the security
# vocabulary's own functions (its table setup and lookups, called by the
# engine, which still inlines them where it calls them): 13 KB gzip; nor
# into the R4 tables' (read once, then looked up per element redaction
# changes), nor into the text patterns' (compiled once): 1.5 KB. The
# standard library's internal/godebug is replaced (-overlay) by
# wasm/_godebug, where every GODEBUG setting keeps its default: the real one
# links the runtime's metrics into any program that imports time, 40 KB gzip.
WASMFLAGS := GOOS=wasip1 GOARCH=wasm
# WASMOVERLAY writes the overlay file to $$ov for a recipe's shell.
WASMOVERLAY = ov="$$(mktemp)"; printf '{"Replace":{"%s/src/internal/godebug/godebug.go":"%s/wasm/_godebug/godebug.go"}}' \
	"$$($(GO) env GOROOT)" "$(CURDIR)" > "$$ov";
WASMBUILD := build -overlay "$$ov" -buildmode=c-shared -trimpath -ldflags='-s -w' -gcflags=all=-d=inlfuncswithclosures=0 \
	-gcflags='github.com/seclabel/seclabel/engine/internal/vocab=-d=inlfuncswithclosures=0 -l' \
	-gcflags='github.com/seclabel/seclabel/engine/internal/r4=-d=inlfuncswithclosures=0 -l' \
	-gcflags='github.com/seclabel/seclabel/engine/internal/pattern=-d=inlfuncswithclosures=0 -l' \
	-gcflags='github.com/seclabel/seclabel/engine/internal/words=-d=inlfuncswithclosures=0 -l'

wasm:
	@tmp="$$(mktemp)"; $(WASMOVERLAY) $(WASMFLAGS) $(GO) $(WASMBUILD) -o "$$tmp" ./wasm && \
	$(GO) run ./internal/wasmjump "$$tmp" host/seclabel.wasm; st=$$?; rm -f "$$tmp" "$$ov"; exit $$st
	@printf 'seclabel.wasm: %s bytes raw, %s gzip' "$$(wc -c < host/seclabel.wasm)" "$$(gzip -9 -c host/seclabel.wasm | wc -c)"
	@if command -v brotli >/dev/null; then printf ', %s brotli' "$$(brotli -c -q 11 host/seclabel.wasm | wc -c)"; else printf ' (for the brotli size: apt-get install brotli)'; fi; echo

# Fails when the committed module differs from a fresh build.
wasmcheck:
	@tmp="$$(mktemp)"; $(WASMOVERLAY) $(WASMFLAGS) $(GO) $(WASMBUILD) -o "$$tmp" ./wasm && \
	$(GO) run ./internal/wasmjump -q "$$tmp" "$$tmp.j" && \
	if ! cmp -s "$$tmp.j" host/seclabel.wasm; then rm -f "$$tmp" "$$tmp.j" "$$ov"; echo "host/seclabel.wasm is stale: run make wasm"; exit 1; fi; rm -f "$$tmp" "$$tmp.j" "$$ov"

# The JavaScript package: web/src bundled with esbuild's Go API (no npm)
# into web/dist (committed, embedded by the binary) and into the npm
# package web/npm (committed but for its seclabel.wasm, copied from host/).
web:
	$(GO) run ./internal/webbuild

# Fails when the committed web/dist or web/npm differs from a fresh build
# (the package's seclabel.wasm is wasmcheck's).
webcheck:
	@tmp="$$(mktemp -d)"; $(GO) run ./internal/webbuild -out "$$tmp/dist" -npm "$$tmp/npm" >/dev/null && \
	if ! diff -r -q "$$tmp/dist" web/dist >/dev/null || ! diff -r -q -x seclabel.wasm "$$tmp/npm" web/npm >/dev/null; then \
	rm -rf "$$tmp"; echo "web/dist or web/npm is stale: run make web"; exit 1; fi; rm -rf "$$tmp"

# The engine does no I/O and keeps encoding/json off its paths. Nothing in
# the WebAssembly module's whole dependency graph (go list -deps ./wasm for
# wasip1) is one of those packages either (syscall aside: time needs it),
# nor fmt, regexp or reflect, which cost module size; nor does the module's
# own code call what needs reflection (errors.As and errors.Is,
# sort.Slice*): the packages that hold them are in the graph anyway.
NOIO := os|os/exec|net|net/http|io/ioutil|encoding/json
imports:
	@bad="$$($(GO) list -f '{{range .Imports}}{{.}} {{end}}' ./engine/... | tr ' ' '\n' | grep -E '^($(NOIO)|syscall)$$' || true)"; \
	if [ -n "$$bad" ]; then echo "engine imports forbidden packages: $$bad"; exit 1; fi
	@graph="$$($(WASMFLAGS) $(GO) list -deps -f '{{.ImportPath}}:{{range .Imports}} {{.}}{{end}}' ./wasm)" || exit 1; \
	bad="$$(echo "$$graph" | cut -d: -f1 | grep -E '^($(NOIO)|fmt|regexp|reflect)$$' || true)"; \
	for p in $$bad; do echo "the WebAssembly module depends on $$p, imported by: $$(echo "$$graph" | grep -E " $$p( |$$)" | cut -d: -f1 | tr '\n' ' ')"; done; \
	[ -z "$$bad" ]
	@files="$$($(WASMFLAGS) $(GO) list -deps -f '{{if not .Standard}}{{$$d := .Dir}}{{range .GoFiles}}{{$$d}}/{{.}} {{end}}{{end}}' ./wasm)" || exit 1; \
	bad="$$(grep -nE 'errors\.(As|Is)\(|sort\.Slice' $$files || true)"; \
	if [ -n "$$bad" ]; then echo "errors.As, errors.Is and sort.Slice* bring reflection (internal/reflectlite, 16 KB gzip) into the module; use type assertions and sort.Stable:"; echo "$$bad"; exit 1; fi

# Regenerate engine/cardinality_table.go from the R4 StructureDefinitions in
# ../shared/data, and the embedded packs engine/packs/us-default.json and
# us-broad.json from the lists in engine/packs/lists (tests check both are
# current; packgen prints each problem of the lists as file:line).
generate:
	$(GO) run ./internal/cardgen
	$(GO) run ./internal/packgen
	$(GO) run ./internal/docgen

# Recall and precision of the default pack per sensitive category, against
# answer keys written by hand (testdata/accuracy; the Synthea, text and
# negative-control parts need ../shared/data), with the targets of each.
# ACCURACYFLAGS passes flags (-v lists the misses, -broad, -json FILE).
accuracy:
	$(GO) run ./internal/accuracy $(ACCURACYFLAGS)

# The benchmark report: every build (native, wazero, Node, headless
# Chromium, the Python package) against the JSON baselines in one run, written to
# bench/report.md (and printed) and summarised in the README's Performance
# section. BENCHFLAGS passes flags to the harness (-quick, -backends, ...).
bench:
	$(GO) run ./bench/harness -out bench/report.md -readme README.md $(BENCHFLAGS)

# The Go benchmarks behind single targets (go test -bench), for profiling.
gobench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./bench/

# FuzzDifferential runs the module: each run is slow enough that minimizing
# a new input would take the default minute, the whole run at 30s.
# FuzzRewrite runs what the jump pass makes of generated functions against
# the originals.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/jsonx
	$(GO) test -run '^$$' -fuzz '^FuzzAppendString$$' -fuzztime $(FUZZTIME) ./internal/jsonx
	$(GO) test -run '^$$' -fuzz '^FuzzHWM$$' -fuzztime $(FUZZTIME) ./engine
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./engine
	$(GO) test -run '^$$' -fuzz '^FuzzLabel$$' -fuzztime $(FUZZTIME) ./engine
	$(GO) test -run '^$$' -fuzz '^FuzzRedact$$' -fuzztime $(FUZZTIME) ./engine
	$(GO) test -run '^$$' -fuzz '^FuzzDo$$' -fuzztime $(FUZZTIME) ./engine
	$(GO) test -run '^$$' -fuzz '^FuzzXMLCodes$$' -fuzztime $(FUZZTIME) ./engine
	$(GO) test -run '^$$' -fuzz '^FuzzPattern$$' -fuzztime $(FUZZTIME) ./engine/internal/pattern
	$(GO) test -run '^$$' -fuzz '^FuzzFind$$' -fuzztime $(FUZZTIME) ./engine/internal/words
	$(GO) test -run '^$$' -fuzz '^FuzzFromXHTML$$' -fuzztime $(FUZZTIME) ./engine/internal/words
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeBase64$$' -fuzztime $(FUZZTIME) ./engine/internal/words
	$(GO) test -run '^$$' -fuzz '^FuzzRewrite$$' -fuzztime $(FUZZTIME) ./internal/wasmjump
	$(GO) test -run '^$$' -fuzz '^FuzzDifferential$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./host

clean:
	rm -rf bin
