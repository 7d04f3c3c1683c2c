"""One line per headline figure, so that ``benchmarks/run_all.py`` can build its summary table.

A benchmark prints its own detailed table, then calls :func:`figure` for each ratio it
stands for. The line reads well on its own and parses with :func:`parse_figures`.
"""

from __future__ import annotations

PREFIX = "FIGURE"
SEPARATOR = " | "


def figure(name: str, value: float, target: str, unit: str = "x") -> None:
    """Print one headline figure: what it is, today's value, and its target (e.g. ``<= 1.15x``)."""
    # Two decimals read best for ratios near 1; three significant digits keep small ones visible.
    text = f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3g}"
    print(SEPARATOR.join((PREFIX, name, f"{text}{unit}", target)), flush=True)


def parse_figures(text: str) -> list[tuple[str, str, str]]:
    """The ``(name, value, target)`` of every figure line in a benchmark's output."""
    rows = []
    for line in text.splitlines():
        parts = line.split(SEPARATOR)
        if len(parts) == 4 and parts[0] == PREFIX:
            rows.append((parts[1], parts[2], parts[3]))
    return rows
