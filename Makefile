# Leerpad. `make help` lists the targets. Needs only Go and npm (for the API
# design-rules lint and axe-core); everything else installs itself, Chromium
# for the browser tests too (make browser, as root or with sudo).

GO            ?= go
TOOLS         := $(CURDIR)/.tools
GOLANGCI_VER  := v2.15.0
GOLANGCI      := $(TOOLS)/golangci-lint-$(GOLANGCI_VER)
DATA          ?= ./data

.DEFAULT_GOAL := help
.PHONY: help run build clean-data seed test test-short bench fmt lint up down web-assets browser node-tools screenshots

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/leerpad
	$(GO) build -o bin/leerpad ./cmd/leerpad

run: build ## start Leerpad on its embedded default: pages on http://127.0.0.1:8080/ (demo sign-in), API on /v1, metrics on :9090, event-store node in-process, data in ./data (seeded with the demo data set when empty)
	@if [ -z "$$(ls -A $(DATA) 2>/dev/null)" ]; then echo "$(DATA) is empty: seeding the demo data set first"; ./bin/leerpad seed --data $(DATA) >/dev/null; fi
	./bin/leerpad serve --data $(DATA) --demo-signin

clean-data: ## remove the embedded default's data ($(DATA)) and its key store ($(DATA)-keys): every person's data and keys, for a fresh start
	rm -rf $(DATA) $(DATA)-keys

seed: build ## write the demo data set into $(DATA) (safe to run again)
	./bin/leerpad seed --data $(DATA)

test: browser node-tools ## every test, race detector on, embedded node on temp dirs, browser tests in headless Chromium
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

test-short: ## unit tests only; integration tests check testing.Short() and skip
	$(GO) test -race -short ./...

browser: ## install Debian's chromium for the browser tests when it is missing (as root, or with sudo)
	./scripts/install-chromium.sh

node-tools: node_modules/.package-lock.json ## the Node tools of the tests, pinned in package-lock.json (Spectral, axe-core)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

screenshots: browser node-tools ## the main page of each role, taken by the browser tests, into docs/screenshots/
	LEERPAD_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run 'TestBrowser' ./cmd/leerpad/

bench: ## benchmarks with their ceilings measured in the same run (see docs/benchmarks.md)
	$(GO) test -run '^$$' -bench . -count 3 -timeout 30m ./eventstore/...
	$(GO) test -run '^$$' -bench 'Apply|Query|MemoryPerParticipant|RebuildAll' -count 3 ./projections/...
	$(GO) test -run '^$$' -bench 'RebuildMillion|SnapshotMillion|Snapshot$$' -benchtime 1x -count 3 -timeout 60m ./projections/...
	$(GO) test -run '^$$' -bench 'ImpactProgramme|ImpactRelease' -count 3 -timeout 30m ./projections/impact/
	$(GO) test -run '^$$' -bench LogExperimentHistory -benchtime 300x -count 5 ./cmd/leerpad/
	$(GO) test -run '^$$' -bench APILoad -benchtime 1x -count 3 -timeout 30m ./cmd/leerpad/
	$(GO) test -run '^$$' -bench PagesLoad -benchtime 1x -count 3 -timeout 30m ./cmd/leerpad/

web-assets: ## rebuild the NL Design System CSS of the web pages from npm (web/nlds: npm ci, build.mjs) into web/static
	cd web/nlds && npm ci --no-audit --no-fund && node build.mjs

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

$(GOLANGCI):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)
	mv $(TOOLS)/golangci-lint $(GOLANGCI)

lint: $(GOLANGCI) ## golangci-lint with the committed .golangci.yml (installs the pinned version)
	$(GOLANGCI) run ./...

up: ## start the compose topology (needs a Docker engine)
	docker compose up -d

down: ## stop the compose topology
	docker compose down
