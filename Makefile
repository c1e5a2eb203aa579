# npxkit — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
DEMO  ?= demo

.PHONY: all build release demo test deps lint fmt bench docs clean

all: build

build:
	$(CARGO) build --workspace

release:
	$(CARGO) build --release -p npxkit-cli

# System packages a fresh Debian machine lacks: a C compiler (zstd) and OpenBLAS
# (libopenblas-dev, for the ndarray-linalg paths of the analysis crates). Installed with
# apt-get when missing and running as root; otherwise we say what to install. No crate
# links OpenBLAS yet (npxkit-limma ports LINPACK's QR for parity with R), so a failed
# OpenBLAS install is a warning, not an error.
deps:
	@command -v cc >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y -qq gcc; \
	  else echo "npxkit needs a C compiler: apt-get install gcc" >&2; exit 1; fi; }
	@if ! ldconfig -p 2>/dev/null | grep -q libopenblas; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev >/dev/null) \
	      || echo "warning: could not install libopenblas-dev (not needed by the current crates)" >&2; \
	  else echo "note: install libopenblas-dev (Debian) for the BLAS-backed paths" >&2; fi; \
	fi

# Simulate the trial-sized study (5400 assays, 49 subjects at C1D1 and C2D1) and run
# every subcommand that exists on it.
demo: release
	rm -rf $(DEMO)
	./target/release/npxkit simulate --proteins 5400 --subjects 49 --seed 1 --out $(DEMO)/study
	./target/release/npxkit qc --npx $(DEMO)/study/npx.parquet --samples $(DEMO)/study/samples.tsv \
	    --group timepoint --pair subject --out $(DEMO)/qc
	./target/release/npxkit qc --npx $(DEMO)/study/npx.csv --samples $(DEMO)/study/samples.tsv --out $(DEMO)/qc-csv
	./target/release/npxkit de --npx $(DEMO)/study/npx.parquet --samples $(DEMO)/study/samples.tsv \
	    --group timepoint --pair subject --contrast C2D1-C1D1 --out $(DEMO)/de
	./target/release/npxkit score --npx $(DEMO)/study/npx.parquet --samples $(DEMO)/study/samples.tsv \
	    --genesets bindea2013 --method gsva --group timepoint --pair subject --contrast C2D1-C1D1 --out $(DEMO)/score
	./target/release/npxkit enrich --de $(DEMO)/de/de.tsv --genesets go-bp --out $(DEMO)/enrich
	@echo "demo written to $(DEMO)/: study/ (simulated delivery), qc/, de/ (de.tsv), score/ (scores.tsv, score_tests.tsv), enrich/ (enrichment.tsv), each with run.json"

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

# docs/cli.md is generated from --help (a test checks it is current).
docs: build
	docs/make-cli-md.sh target/debug/npxkit > docs/cli.md

clean:
	$(CARGO) clean
	rm -rf $(DEMO)
