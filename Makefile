# The two commands for a new user: `make demo` and `make test`. Both do all set-up first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
DEMO_OUT ?= demo_out
CORES ?= 2

.PHONY: setup demo test lint bench clean-demo

setup:
	@bash scripts/setup.sh

demo: setup
	$(BIN)/wgs-east validate config/test.yaml
	$(BIN)/wgs-east run config/test.yaml --outdir $(DEMO_OUT) --cores $(CORES)

test: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=30

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/wgs-east run config/test.yaml --outdir build/lint --dry-run >/dev/null
	cd build/lint && ../../$(BIN)/snakemake --lint --snakefile ../../workflow/Snakefile \
		--config batch_json=.wgs-east/batch.json run_json=.wgs-east/run.json
	$(BIN)/snakemake --lint --snakefile resources/Snakefile --config bundle=build/lint/bundle

bench: setup
	$(BIN)/python bench/run_all.py

clean-demo:
	rm -rf $(DEMO_OUT)
