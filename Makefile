# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The CJK TrueType font the archive PDFs embed (reports/pdf_typeset.py FONT_PATH).
FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

.PHONY: run test lint bench demo clean fonts chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP) fonts  ## make a virtualenv, install, load the demo mine, serve at http://127.0.0.1:8000
	$(BIN)/appraisal demo
	$(BIN)/appraisal serve --host 127.0.0.1 --port 8000

test: $(STAMP) lint fonts chromium  ## install and run every test (PostgreSQL ones skip, with the reason, if unreachable outside CI)
	$(BIN)/pytest -q -n auto --dist loadfile --no-loadscope-reorder

fonts:  ## install Debian's fonts-wqy-microhei unless its font file is there already
	@test -f $(FONT) || (apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei)

chromium:  ## install Debian's chromium and its driver, and poppler's pdftoppm, for the browser tests unless there
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver)
	@test -x /usr/bin/pdftoppm || (apt-get update && apt-get install -y --no-install-recommends poppler-utils)

lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check domain ledger workflows projections reports store service demo tests bench
	$(BIN)/mypy domain ledger workflows projections reports store service demo bench

# Zones of the read-model benchmark's history (~70 events each); 100000 is the issue's size.
BENCH_ZONES ?= 10000

bench: $(STAMP) fonts  ## sign-off throughput, bulk sign-off against singles, read models (rebuild, ranking) at BENCH_ZONES zones, archives, the ledger's cost and verify rate, the daily digests at month-end; see docs/PERFORMANCE.md
	$(BIN)/python -m bench.signoff
	$(BIN)/python -m bench.bulk
	$(BIN)/python -m bench.readmodels --zones $(BENCH_ZONES)
	$(BIN)/python -m bench.archives
	$(BIN)/python -m bench.ledger --zones $(BENCH_ZONES)
	$(BIN)/python -m bench.digests --zones $(BENCH_ZONES)

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
