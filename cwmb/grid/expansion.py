"""Expanding an experiment into its cells, validated against the suites, methods and LLM configs.

Apart from :mod:`cwmb.grid.cells` (the cell record) because the suites build on cells:
imports run one way, ``expansion -> suites -> cells``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from cwmb.errors import CwmbError
from cwmb.grid.cells import Cell
from cwmb.grid.experiment import Experiment
from cwmb.grid.suites import get_suite


@dataclass(frozen=True)
class Expansion:
    """The cells of a grid and the notes about targets left out (e.g. envs the offline coder cannot write)."""

    cells: tuple[Cell, ...]
    notes: tuple[str, ...] = ()


def expand_cells(experiment: Experiment) -> Expansion:
    """All cells of ``experiment``, validated against the suites, methods and LLM configs."""
    from cwmb.llm import load_llm_config

    for suite_name in experiment.suites:
        for name in experiment.methods:
            # Each suite's domain says which methods it runs (APPS also knows zero_shot_cot):
            # an unknown one fails here, before any cell runs.
            get_suite(suite_name).method_spec(name)
    cell_stages = tuple(s for s in experiment.stages if s != "report")
    cells: list[Cell] = []
    notes: list[str] = []
    for suite_name, section in experiment.suites.items():
        suite = get_suite(suite_name)
        targets = suite.targets(section, f"suites.{suite_name}")
        for entry in experiment.llms:
            config = load_llm_config(entry.config)
            usable, skipped = suite.usable_targets(targets, config)
            if skipped:
                notes.append(
                    f"{config.name}: skipping {len(skipped)} target(s) it cannot write: {', '.join(skipped)}"
                )
            for target, budget, method, seed in itertools.product(
                usable, entry.budgets, experiment.methods, entry.seeds
            ):
                cells.append(
                    Cell(suite_name, target, method, entry.config, config.name, seed, budget, cell_stages)
                )
    return Expansion(tuple(_unique(cells)), tuple(notes))


def _unique(cells: list[Cell]) -> list[Cell]:
    seen: dict[str, Cell] = {}
    for cell in cells:
        if cell.key in seen and seen[cell.key] != cell:
            raise CwmbError(
                f"two cells of the grid would write {cell.key}",
                "give each LLM config a distinct name (the `name:` key of its YAML)",
            )
        seen.setdefault(cell.key, cell)
    return list(seen.values())
