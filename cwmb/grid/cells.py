"""Cells: one (suite, target, method, LLM, seed, budget) of a grid, each an ordinary run directory.

:func:`cwmb.grid.expansion.expand_cells` turns an :class:`~cwmb.grid.experiment.Experiment` into cells in a
fixed order (suites, targets, LLMs, budgets, methods, seeds); :func:`shard_cells` picks a
deterministic subset for ``--shard i/N``: every N-th cell of that order, so shards are
disjoint, cover the grid, and differ in size by at most one cell (SLURM array jobs of
similar length). Shards must be run with the same experiment file.
"""

from __future__ import annotations

from dataclasses import dataclass

from cwmb.errors import CwmbError


@dataclass(frozen=True)
class Cell:
    """One unit of a grid. ``run`` is the run name; where it writes is its suite's
    ``cell_directory`` (``<root>/<run>/<ENV>/`` for cwmb cells).

    ``llm`` is the LLM config as the experiment names it (a preset or a path) and
    ``llm_name`` its resolved name, used in run names as ``cwmb synthesize`` does.
    """

    suite: str
    target: str
    method: str
    llm: str
    llm_name: str
    seed: int
    budget: int
    stages: tuple[str, ...]

    @property
    def run(self) -> str:
        """The run name: ``<method>-<llm>-b<budget>-seed<seed>``."""
        return f"{self.method}-{self.llm_name}-b{self.budget}-seed{self.seed}"

    @property
    def key(self) -> str:
        """Unique within a grid: ``<run>/<target>`` (also the cell's folder under the root)."""
        return f"{self.run}/{self.target}"


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> (2, 4); shard numbers start at 1."""
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i, n = 0, 0
    if not sep or n < 1 or not 1 <= i <= n:
        raise CwmbError(f"bad --shard '{text}'", "write I/N with 1 <= I <= N, e.g. --shard 1/4")
    return i, n


def shard_cells(cells: tuple[Cell, ...] | list[Cell], index: int, count: int) -> list[Cell]:
    """The cells of shard ``index`` of ``count``: positions index-1, index-1+count, ... (all for 1/1)."""
    return [cell for position, cell in enumerate(cells) if position % count == index - 1]
