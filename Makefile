# npxkit — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
DEMO  ?= demo

.PHONY: all build release demo test test-rust deps lint fmt bench clean

all: build

build:
	$(CARGO) build --workspace

release:
	$(CARGO) build --release -p npxkit-cli

# System packages a fresh Debian machine lacks. Nothing links BLAS or needs R today;
# the check is here so the next crate that does has one place to add it.
deps:
	@command -v cc >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y -qq gcc; \
	  else echo "npxkit needs a C compiler (gcc) for zstd; install it and re-run" >&2; exit 1; fi; }

# Simulate the trial-sized study (5400 assays, 49 subjects at C1D1 and C2D1) and run
# every subcommand that exists on it.
demo: release
	rm -rf $(DEMO)
	./target/release/npxkit simulate --proteins 5400 --subjects 49 --seed 1 --out $(DEMO)/study
	./target/release/npxkit qc --npx $(DEMO)/study/npx.parquet --samples $(DEMO)/study/samples.tsv \
	    --group timepoint --pair subject --out $(DEMO)/qc
	./target/release/npxkit qc --npx $(DEMO)/study/npx.csv --samples $(DEMO)/study/samples.tsv --out $(DEMO)/qc-csv
	@echo "demo written to $(DEMO)/: study/ (simulated delivery), qc/ (qc.tsv, assay_qc.tsv, run.json)"

test: deps
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --no-fail-fast && $(CARGO) test --workspace --doc; \
	else \
	  $(CARGO) test --workspace --no-fail-fast; \
	fi

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

bench:
	$(CARGO) bench -p npxkit-benches

clean:
	$(CARGO) clean
	rm -rf $(DEMO)
