# The two commands a newcomer needs: `make run` and `make test`. Both create the virtual
# environment on first use; torch is installed first, pinned, so that pip takes the CPU
# build that lies on disk instead of pulling a multi-GB CUDA build.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test check lint bench bench-quick bench-deps fuzz soak reliability-report clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/indsats build
	$(VENV)/bin/indsats serve --host $(HOST) --port $(PORT)

# The suite on parallel workers (pytest-xdist; `auto`: one per core). `--dist loadgroup`
# keeps the `model` tests on one worker (tests/conftest.py), which loads the model once.
# `make test WORKERS=0` runs it in one process.
WORKERS ?= auto
XDIST := -n $(WORKERS) --dist loadgroup

test: $(STAMP)
	$(PY) -m pytest $(XDIST)

# The fast loop: lint, then every test that needs no model, no browser and no fault
# injection (those run in `make test`). Times in docs/CONTRIBUTING.md.
check: lint
	$(PY) -m pytest $(XDIST) -q -m "not model and not browser and not reliability"

lint: $(STAMP)
	$(VENV)/bin/ruff check durable engine index api cli tests bench
	$(VENV)/bin/ruff format --check durable engine index api cli tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Benchmarks: `make bench` (full, < 15 min) or `make bench-quick` / `make bench
# ARGS=--quick` (a few minutes); results in docs/BENCHMARKS.md. txtai gets its own venv
# (it may want other versions than ours), torch first for the same reason as above; the load
# tool is Debian's wrk.
TXTAI_VENV := bench/.venv-txtai
TXTAI_STAMP := $(TXTAI_VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp

bench-deps: $(STAMP) $(BENCH_STAMP) $(TXTAI_STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

$(BENCH_STAMP): pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

$(TXTAI_STAMP):
	test -x $(TXTAI_VENV)/bin/python || $(PYTHON) -m venv $(TXTAI_VENV)
	$(TXTAI_VENV)/bin/pip install --quiet torch==2.13.0
	$(TXTAI_VENV)/bin/pip install --quiet 'txtai>=9,<10'
	touch $(TXTAI_STAMP)

bench: bench-deps
	$(PY) -m bench $(ARGS)

bench-quick: bench-deps
	$(PY) -m bench --quick $(ARGS)

# Longer runs of the reliability tests (docs/RELIABILITY.md); `make test` runs short ones.
fuzz: $(STAMP)
	INDSATS_FUZZ_EXAMPLES=1000 INDSATS_CRASH_TRIALS=40 INDSATS_DAMAGE_ALL=1 $(PY) -m pytest -q \
		tests/reliability/test_parser_properties.py tests/reliability/test_schemathesis.py \
		tests/reliability/test_crash_index.py tests/reliability/test_crash_writes.py \
		tests/reliability/test_crash_snapshot.py \
		tests/reliability/test_damaged_files.py tests/reliability/test_disk_full.py \
		tests/reliability/test_text_input.py tests/reliability/test_unreadable_pages.py \
		tests/reliability/test_empty_corpus.py tests/reliability/test_startup_faults.py \
		tests/reliability/test_request_limits.py

soak: $(STAMP)
	INDSATS_LOAD_SECONDS=60 INDSATS_SOAK_REQUESTS=20000 INDSATS_CONC_WRITERS=6 \
	INDSATS_CONC_OPS=15 INDSATS_SLOW_CLIENTS=200 INDSATS_GREEDY_SECONDS=30 $(PY) -m pytest -q \
		tests/reliability/test_load.py tests/reliability/test_concurrency.py \
		tests/reliability/test_hostile_clients.py

# Writes the figures of the last runs (build/reliability/figures.json) into the doc.
reliability-report: $(STAMP)
	$(PY) scripts/reliability_report.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache $(TXTAI_VENV) bench/results \
		build/test-models
