# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)  ## make a virtualenv, install, load the demo mine, serve at http://127.0.0.1:8000
	$(BIN)/appraisal demo
	$(BIN)/appraisal serve --host 127.0.0.1 --port 8000

test: $(STAMP) lint  ## install and run every test (PostgreSQL ones skip, with the reason, if unreachable outside CI)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check domain workflows projections service tests

bench: $(STAMP)  ## sign-off throughput against a durable-insert baseline; see docs/PERFORMANCE.md
	$(BIN)/python -m bench.signoff

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
