# The two commands a newcomer needs: `make dev` and `make test`.
.PHONY: setup dev test lint fmt clean bench bench-search new-function web-setup web-client web-test web-bundle

CARGO ?= cargo

## Install the local stand-ins and linters into .venv/ (ignored; once per pin change).
setup:
	@bash infra/setup.sh

## Local stack + demo data + API on http://127.0.0.1:3000. Ctrl-C stops everything.
dev: setup
	$(CARGO) build --workspace --bins
	@bash infra/dev.sh

## Every test: unit, integration (starts its own stand-ins, IAM enforced), template lint, fmt,
## clippy; then the IAM permissions no test used.
test: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) build --workspace --bins
	rm -rf .local/iam-usage
	COWORK_IAM_USAGE_DIR=$(CURDIR)/.local/iam-usage $(CARGO) test --workspace
	@.venv/ministack/bin/python infra/iam_report.py .local/iam-usage
	$(MAKE) web-test

## The web app (web/): npm ci from the lockfile (once per lockfile change) and Debian's
## chromium for the browser tests (installed when missing; never a downloaded browser).
web-setup:
	@bash infra/web-setup.sh --browser

## Regenerate the web client from the API's OpenAPI document (after changing a route).
web-client:
	UPDATE_WEB_OPENAPI=1 $(CARGO) test -p integration-tests --test template the_web_clients_copy
	cd web && npm run -s gen:client

## Lint, type-check and build the web app, check its generated client, then drive it in
## headless chromium against its own local stack (web/e2e/).
web-test: web-setup
	$(CARGO) build -p local-gateway --bins
	cd web && npm run -s lint && npm run -s typecheck && node e2e/client-is-current.mjs && npm run -s build
	cd web && CARGO_TARGET_DIR="$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)" npm run -s test:e2e

lint: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	rm -rf .local target

## Scaffold an HTTP function everywhere it must appear (crate, template.yaml, the
## gateway's and get-openapi's dependencies, sample event, README):
##   make new-function NAME=get-thing ROUTE="GET /things/{thingId}" [PUBLIC=1]
new-function:
	@python3 infra/new-function.py "$(NAME)" "$(ROUTE)" $(if $(PUBLIC),--public)

FUNCTION_PACKAGES := $(patsubst functions/%,-p %,$(wildcard functions/*))

## Release builds (native, and arm64 through cargo-lambda), then per-function size, init time
## and memory, hot-path latency and DynamoDB cost per operation (bench-results/bench.md).
bench: setup
	@mkdir -p bench-results
	@start=$$(date +%s); $(CARGO) build --release $(FUNCTION_PACKAGES) -p integration-tests --bins && \
	  echo "native release build of every function and the bench: $$(( $$(date +%s) - start )) s" > bench-results/build-times.txt
	@rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || echo "no aarch64 std: sizes will be native"
	@start=$$(date +%s); if PATH="$(CURDIR)/.venv/tools/bin:$$PATH" cargo lambda build --release --arm64 $(FUNCTION_PACKAGES); then \
	  echo "arm64 release build of every function (cargo lambda): $$(( $$(date +%s) - start )) s" >> bench-results/build-times.txt; \
	  else echo "arm64 build failed: sizes are native" >> bench-results/build-times.txt; fi
	"$${CARGO_TARGET_DIR:-target}/release/bench"
	$(MAKE) web-setup
	$(CARGO) build -p local-gateway --bins
	cd web && NEXT_TELEMETRY_DISABLED=1 npm run -s build && CARGO_TARGET_DIR="$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)" node e2e/bench-pages.mjs

## Only the search section of the bench (10,000 seeded spaces; bench-results/search.md).
bench-search: setup
	$(CARGO) build --release -p integration-tests --bin bench
	BENCH_ONLY=search "$${CARGO_TARGET_DIR:-target}/release/bench"

## The web app's deployable bundle for infra/web.yaml: the standalone server with its
## start script (web/.next/standalone) and the static files for the assets bucket.
web-bundle:
	@bash infra/web-setup.sh
	cd web && NEXT_TELEMETRY_DISABLED=1 npm run -s build
	printf '#!/bin/sh\nexec node server.js\n' > web/.next/standalone/run.sh && chmod +x web/.next/standalone/run.sh
