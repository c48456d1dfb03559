# The two jobs of the README: `make serve` (build everything and serve it) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: all install run build test lint bench bench-scale load clean
all: test

$(BIN)/evidence: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# An editable install leaves the package's own modules uncompiled: compile them once, so a
	# new process (an `evidence search`) does not compile them again (even when the environment
	# says PYTHONDONTWRITEBYTECODE); Python still compiles a module changed since, in memory.
	$(BIN)/python -m compileall -q src/evidence_archive
	touch $(BIN)/evidence

install: $(BIN)/evidence

build: install
	$(BIN)/evidence build

run: install
	$(BIN)/evidence check --audit
	$(BIN)/evidence build
	$(BIN)/evidence serve

lint: install
	$(BIN)/ruff format --check src tests scripts bench hooks build_index.py
	$(BIN)/ruff check src tests scripts bench hooks build_index.py
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/extract_speed.py
	$(BIN)/python bench/ingest_speed.py
	$(BIN)/python bench/search_eval.py
	$(BIN)/python bench/index_size.py
	$(BIN)/python bench/incremental.py

bench-scale: install
	$(BIN)/python bench/scale.py --sizes 20 200 1000

load: install
	$(BIN)/python bench/load_test.py --clients 50 --seconds 60

clean:
	rm -rf build .build-cache site .pytest_cache .mypy_cache .ruff_cache
