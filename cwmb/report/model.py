"""The built report as a record, a floor below both its builder and its figures.

:mod:`cwmb.report.build` makes a :class:`Report`; :mod:`cwmb.report.plots` draws from one.
Both import it from here, so imports run one way (``build -> plots -> model``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cwmb.report.aggregate import Group
from cwmb.report.runs import LoadedRuns
from cwmb.report.tables import ReportTable


@dataclass
class Report:
    """The loaded runs, their groups and the tables made from them."""

    loaded: LoadedRuns
    groups: list[Group]
    tables: list[ReportTable]
    references: str = "ours"  # the normalizers of R: ours or published (the paper's)

    def table(self, name: str) -> ReportTable | None:
        """The table called ``name`` (``main``, ``per_env``, ``rtfm``, ``usage``, ``actions``), if present."""
        return next((t for t in self.tables if t.name == name), None)

    @property
    def runs(self) -> list[str]:
        """Names of the runs in the report."""
        return list(self.loaded.run_paths)
