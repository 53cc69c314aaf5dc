# The two commands a newcomer needs: `make dev` and `make test`.
.PHONY: setup dev test lint fmt clean bench

CARGO ?= cargo

## Install the local stand-ins and linters into .venv/ (ignored; once per pin change).
setup:
	@bash infra/setup.sh

## Local stack + demo data + API on http://127.0.0.1:3000. Ctrl-C stops everything.
dev: setup
	$(CARGO) build --workspace --bins
	@bash infra/dev.sh

## Every test: unit, integration (starts its own stand-ins), template lint, fmt, clippy.
test: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace

lint: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	rm -rf .local target

## Release build, then hot-path latency and DynamoDB cost per operation (bench-results/).
bench: setup
	$(CARGO) build --release -p integration-tests --bin bench
	./target/release/bench
