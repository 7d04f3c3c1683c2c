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

demo: setup
	$(CWMB) envs
	$(CWMB) describe CartPole-v1 | head -n 25
	$(CWMB) collect --env CartPole-v1 --env Pendulum-v1 --episodes 2 --max-steps 20 \
		--out results/demo/trajectories --force
	$(CWMB) dataset results/demo/trajectories

# Rebuilds the shipped dataset (about 20 minutes on 2 cores; see docs/benchmark.md).
collect: setup
	$(CWMB) collect --env all --out trajectories --force --workers 2

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
