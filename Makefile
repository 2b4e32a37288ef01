# sitrep: the project's interface. Every target bootstraps .venv when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: run test ui ui-test eval validate bench clean native

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The extraction's hot modules compiled with mypyc into .native/ (sitrep/native.py), rebuilt when their sources
# change (about 25 s). If the build fails, it says why and the pipeline runs them as plain Python.
native: $(STAMP)
	@SITREP_NATIVE=0 $(BIN)/python scripts/build_native.py --if-stale || true

run: native
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m orchestration.run

test: native
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m pytest

ui: native
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	@grep -q '^nux:' $(DAGSTER_HOME)/dagster.yaml || printf 'nux:\n  enabled: false\n' >> $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -h 127.0.0.1 -p $${PORT:-3000} -m orchestration.definitions

# The browser end-to-end test alone: Debian's chromium + chromium-driver (installed with apt when missing,
# sudo when not root), dagster dev on a free loopback port, screenshots in screenshots/.
ui-test: $(STAMP)
	@if [ ! -x "$${SITREP_CHROMIUM:-/usr/bin/chromium}" ] || [ ! -x "$${SITREP_CHROMEDRIVER:-/usr/bin/chromedriver}" ]; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); echo "installing chromium and chromium-driver with apt-get"; \
	  { $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } \
	    || echo "could not install chromium / chromium-driver: the browser test will skip"; \
	fi
	$(BIN)/python -m pytest -q tests/test_ui_browser.py

eval: native
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python scripts/eval.py

validate: $(STAMP)
	$(BIN)/dagster definitions validate -m orchestration.definitions

# Feed-scale benchmark (scripts/bench.py): N = 1,000 / 10,000 / 100,000 articles through the real job, the
# spaCy tokenizer floor, views on 10 million events; appends to BENCHMARKS.md. BENCH_ARGS="--sizes 1000" etc.
$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

bench: $(VENV)/.installed-bench native
	@mkdir -p $(DAGSTER_HOME) && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .native .dagster_home warehouse.duckdb warehouse.duckdb.wal warehouse.duckdb.writelock .warehouse.duckdb.extractions reports exports eval_results
