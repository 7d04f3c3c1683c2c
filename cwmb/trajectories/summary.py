"""A per-env summary of a dataset directory, for the terminal and for the docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cwmb.benchmark.registry import ENVS, EnvSpec
from cwmb.errors import CwmbError
from cwmb.trajectories.locate import available_envs, dataset_roots, resolve_dataset_root
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
    root: Path | str | None, specs: list[EnvSpec] | None = None, split: str = SEARCH
) -> list[dict[str, Any]]:
    """One row per env present under ``root`` (all 18 looked for unless ``specs`` is given).

    With ``root`` None each env is read from where :mod:`cwmb.trajectories.locate` finds it.
    Each dataset of ``split`` is fully loaded, so its checksum, pin and schema are verified too.
    """
    if specs is not None:
        wanted = {spec: root for spec in specs}  # asked for by name: a missing one is an error
    elif root is not None:  # a root of one's own may hold only one split
        wanted = {s: root for s in ENVS if (dataset_dir(root, s.name, split) / MANIFEST_FILE).exists()}
    else:
        found = available_envs([s.name for s in ENVS], root)
        wanted = {
            s: found[s.name]
            for s in ENVS
            if s.name in found and (dataset_dir(found[s.name], s.name, split) / MANIFEST_FILE).exists()
        }
    if not wanted:
        where = root if root is not None else " or ".join(str(r) for r in dataset_roots())
        flag = "" if split == SEARCH else f" --split {split}"
        what = "datasets" if split == SEARCH else f"{split} datasets"
        raise CwmbError(f"no {what} found in {where}", f"run `cwmb collect{flag} --out DIR` first")
    rows = []
    for spec, spec_root in wanted.items():
        data = load_dataset(spec_root, spec.name, split)
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
                "root": str(spec_root if spec_root is not None else resolve_dataset_root(spec.name)),
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
