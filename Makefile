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

# System packages a fresh Debian machine lacks: a C compiler (zstd), OpenBLAS
# (libopenblas-dev, for the BLAS-backed paths) and Chromium (the report's browser test;
# the test skips with a printed reason without it). Installed with apt-get when missing and
# running as root; otherwise we say what to install. Only the C compiler is required.
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
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
	      || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)) \
	      || echo "warning: could not install chromium: the report's browser check will be skipped" >&2; \
	  else echo "note: install chromium (Debian) for the report's browser check" >&2; fi; \
	fi

# Simulate the trial-sized study (5400 assays, 49 subjects at C1D1 and C2D1) and run the
# whole pipeline on it with `npxkit run` (qc, de, score, enrich, cluster, figures, report).
demo: release
	rm -rf $(DEMO)
	./target/release/npxkit simulate --proteins 5400 --subjects 49 --seed 1 --out $(DEMO)/study
	./target/release/npxkit run --npx $(DEMO)/study/npx.parquet --samples $(DEMO)/study/samples.tsv \
	    --out $(DEMO)/results
	@echo
	@echo "demo: the simulated delivery is in $(DEMO)/study/, every table and figure in $(DEMO)/results/"
	@echo "demo: open $(DEMO)/results/report.html"

# Rust tests (nextest when installed), doctests, then the workflow engines for real
# (Snakemake and cwltool from PyPI into target/workflow-venv; skipped with a reason
# when PyPI is unreachable) against the debug binary the tests built.
test: deps
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --no-fail-fast && $(CARGO) test --workspace --doc; \
	else \
	  $(CARGO) test --workspace --no-fail-fast; \
	fi
	$(CARGO) build -p npxkit-cli
	NPXKIT=target/debug/npxkit bash workflows/test.sh

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
