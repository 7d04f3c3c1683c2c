"""A per-env summary of a dataset directory, for the terminal and for the docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cwmb.benchmark.registry import ENVS, EnvSpec
from cwmb.errors import CwmbError
from cwmb.trajectories.storage import MANIFEST_FILE, SEARCH, dataset_dir, load_dataset

_HEADERS = (
    "env",
    "runs as",
    "transitions",
    "trajectories",
    "terminated",
    "return min",
    "return max",
    "policies",
)


def summarize(
    root: Path | str, specs: list[EnvSpec] | None = None, split: str = SEARCH
) -> list[dict[str, Any]]:
    """One row per env present under ``root`` (all 18 looked for unless ``specs`` is given).

    Each dataset of ``split`` is fully loaded, so its checksum, pin and schema are verified too.
    """
    root = Path(root)
    present = [s for s in ENVS if (dataset_dir(root, s.name, split) / MANIFEST_FILE).exists()]
    wanted = specs if specs is not None else present
    if not wanted:
        flag = "" if split == SEARCH else f" --split {split}"
        what = "datasets" if split == SEARCH else f"{split} datasets"
        raise CwmbError(f"no {what} found in {root}", f"run `cwmb collect{flag} --out DIR` first")
    rows = []
    for spec in wanted:
        data = load_dataset(root, spec.name, split)
        returns = data.trajectory_returns()
        policies = sorted({t["policy"] for t in data.manifest["trajectories"]})
        rows.append(
            {
                "env": spec.name,
                "runs as": spec.gym_id,
                "transitions": len(data),
                "trajectories": data.n_trajectories,
                "terminated": int(data.terminated.sum()),
                "return min": round(min(returns), 1),
                "return max": round(max(returns), 1),
                "policies": "+".join(policies),
            }
        )
    return rows


def render_summary(rows: list[dict[str, Any]], markdown: bool = False) -> Any:
    """A rich Table, or Markdown text when ``markdown`` is set."""
    if markdown:
        lines = ["| " + " | ".join(_HEADERS) + " |", "|" + "---|" * len(_HEADERS)]
        lines += ["| " + " | ".join(str(row[h]) for h in _HEADERS) + " |" for row in rows]
        total = sum(r["transitions"] for r in rows)
        lines.append(f"| **total** | | {total} | {sum(r['trajectories'] for r in rows)} | | | | |")
        return "\n".join(lines)
    from rich.console import Console
    from rich.table import Table

    table = Table(title="dataset summary")
    for header in _HEADERS:
        table.add_column(header, justify="right" if header not in ("env", "runs as", "policies") else "left")
    for row in rows:
        table.add_row(*(str(row[h]) for h in _HEADERS))
    console = Console(width=None if Console().is_terminal else 120)
    with console.capture() as captured:
        console.print(table)
    return captured.get()
