"""Experiment grids: ``cwmb run EXPERIMENT.yaml`` (``docs/grid.md``).

An experiment file (:mod:`cwmb.grid.experiment`) expands into cells
(:mod:`cwmb.grid.cells`), each an ordinary run directory written by its suite's cell
kind (:mod:`cwmb.grid.suites`). The driver (:mod:`cwmb.grid.driver`) skips complete
cells and runs the rest on an executor: a local process pool (:mod:`cwmb.grid.local`)
or Ray (:mod:`cwmb.grid.ray_executor`). ``--dry-run`` estimates the cost first
(:mod:`cwmb.grid.estimate`).
"""

from cwmb.grid.cells import Cell, parse_shard, shard_cells
from cwmb.grid.expansion import Expansion, expand_cells
from cwmb.grid.experiment import Experiment, experiment_from_dict, load_experiment

__all__ = [
    "Cell",
    "Expansion",
    "Experiment",
    "expand_cells",
    "experiment_from_dict",
    "load_experiment",
    "parse_shard",
    "shard_cells",
]
