# Every target that runs something depends on `setup`, so that on a fresh clone
# `make demo` and `make test` are each one command.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
CWMB := $(VENV)/bin/cwmb
STAMP := $(VENV)/.installed

.PHONY: setup test demo lint collect clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check cwmb tests benchmarks
	$(VENV)/bin/ruff format --check cwmb tests benchmarks

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

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
