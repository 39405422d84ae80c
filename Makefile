# The two commands of the README: `make run` and `make test`. Each sets up everything it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint clean browser sea-lanes conditions aot

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

# The route planner's kernels compiled ahead of time (silkway.routing.aot): `silkway route` then starts without numba.
# Seconds when the build is fresh (a digest of the kernel sources); after a kernel changed, it recompiles (1-3 min).
aot: $(STAMP)
	$(PY) -m silkway.aot_build

run: $(STAMP) aot
	$(VENV)/bin/silkway network
	$(VENV)/bin/silkway demo

browser:
	bash scripts/install-browser.sh

# Two worker processes (pytest-xdist; CI has 2 cores), a test file at a time: each file's tests run in order in one
# worker, its module fixtures (a Dask cluster, a browser, a live server) made once. Why: docs/design.md.
test: $(STAMP) aot browser
	$(PY) -m pytest -q -n 2 --dist loadfile

# Data build: recompute the deep-sea lanes of the embedded dataset (searoute; the product only reads the result).
sea-lanes: $(STAMP)
	$(PY) scripts/build_sea_lanes.py

# Data build: the typical waits of `silkway route --conditions typical` (baseline simulation, ~1 min; see docs/routing.md).
conditions: $(STAMP)
	$(VENV)/bin/silkway conditions build --as-of 2023-06-30 --as-of 2024-06-30 --as-of 2025-06-30 --replications 3 --seed 0

# Benchmarks: each runs its peer library in the same run (never part of `make test`). ~20 min in all.
bench: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider benchmarks/bench_routing_test.py
	$(PY) benchmarks/bench_routing.py
	$(PY) benchmarks/bench_sim.py
	$(PY) benchmarks/bench_study.py
	$(PY) benchmarks/bench_web.py --workers 200 --seconds 60

# Static checks, run by .ci/run before the tests: ruff (lint) and mypy (types; settings in pyproject.toml [tool.mypy]).
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info src/silkway/routing/_aot_*
