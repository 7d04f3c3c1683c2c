# Every target that runs something depends on `setup`, so that on a fresh clone
# `make demo` and `make test` are each one command.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CWMB := $(VENV)/bin/cwmb
STAMP := $(VENV)/.installed

.PHONY: setup test demo lint collect bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev,ray,minari,offline-rl]"
	touch $(STAMP)

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check cwmb tests benchmarks setup.py
	$(VENV)/bin/ruff format --check cwmb tests benchmarks setup.py

# The whole pipeline, offline: no API key, no network. The LLM is the offline simulated
# coder (reference world models, or for MuJoCo envs least-squares fits to the dataset, with
# injected faults), and every output says so. InvertedPendulum-v4 fills the continuous
# columns of the report and runs CEM with a world model in the sandbox.
demo: setup
	$(CWMB) envs
	$(CWMB) collect --env CartPole-v1 --episodes 2 --max-steps 20 --out results/demo/trajectories --force
	$(CWMB) score --reference --env CartPole-v1
	$(CWMB) synthesize --env CartPole-v1,Taxi-v3,InvertedPendulum-v4 --run demo --budget 10
	$(CWMB) evaluate demo --profile quick --episodes 2
	$(CWMB) report demo --out results/demo/report
	$(CWMB) show demo --env Taxi-v3 --html results/demo/report/tree-Taxi-v3.html

# Rebuilds the shipped dataset, search and held-out splits (about 20 minutes each on 2 cores;
# see docs/benchmark.md).
collect: setup
	$(CWMB) collect --env all --out trajectories --force --workers 2
	$(CWMB) collect --split heldout --env all --out trajectories --force --workers 2
	$(PY) -W ignore -m cwmb.trajectories.pinned

# Every script in benchmarks/, with a summary table (figure, today's value, target); a few
# minutes on 2 cores. Full outputs go to results/bench/.
bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# APPS offline, on the fixture problems written for the tests (no APPS download, no key).
.PHONY: demo-apps
demo-apps: setup
	$(CWMB) apps check --data tests/apps/fixtures/hub
	$(CWMB) synthesize --suite apps --data tests/apps/fixtures/hub --problems 0:6 --run demo-apps --budget 6 --test-timeout 1
	$(CWMB) evaluate demo-apps
	$(CWMB) report demo-apps --out results/demo-apps/report
