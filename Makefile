# Two entry points: `make run` (the weekly reflection of the example log, offline) and
# `make test` (lint, types, the whole suite). Both create .venv and install on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WEEK   ?= 2026-W47

.PHONY: run test lint eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# CPU torch first: left to itself, sentence-transformers would pull a ~3 GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/rreview week --log examples/research-log --week $(WEEK) --offline

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

test: $(STAMP) lint
	$(BIN)/python -m pytest -q
	$(BIN)/rreview eval --out eval-out

eval: $(STAMP)
	$(BIN)/rreview eval --out eval-out

# One year of synthetic log (~15 min on 2 cores); BENCH_YEARS="1 3 10" for the README table (~1 h).
BENCH_YEARS ?= 1
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --years $(BENCH_YEARS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
