"""Run every benchmark in ``benchmarks/`` and print one summary table: figure, today's value, target.

Each script runs in its own process (with small settings where it has them, so the whole
run takes a few minutes on 2 cores); its full output is kept in ``--log-dir`` and its
headline figures (the ``FIGURE`` lines, see ``figures.py``) go into the summary. Scripts
that measure accuracy rather than speed (``ceilings.py``, ``metric_comparison.py``) are run
too, so that they keep working, and appear as one row without a ratio.

Run: make bench   (or .venv/bin/python benchmarks/run_all.py [--only NAME ...])
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from figures import parse_figures

HERE = Path(__file__).resolve().parent
# (script, arguments): quick settings where a script has them.
SCRIPTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("startup.py", ()),
    ("oracle_speed.py", ()),
    ("planning_overhead.py", ()),
    ("reference_scaling.py", ()),
    ("sandbox_overhead.py", ("--repeats", "20")),
    ("scoring_speed.py", ()),
    ("ceilings.py", ("--random", "0")),
    ("metric_comparison.py", ()),
    ("llm_as_model_speed.py", ()),
    ("cql_training.py", ()),
)


def machine() -> str:
    """One line about the machine the numbers come from."""
    cores = os.cpu_count() or 0
    try:
        load = f", load average {os.getloadavg()[0]:.1f}"
    except OSError:
        load = ""
    cpu = platform.processor() or platform.machine()
    return f"{cpu}, {cores} cores{load}, Python {platform.python_version()}"


def run(script: str, arguments: tuple[str, ...], log_dir: Path) -> tuple[list[tuple[str, str, str]], str]:
    """Run one script; return its figures and a status (``ok`` with seconds, or the failure)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(HERE / script), *arguments], capture_output=True, text=True, cwd=HERE.parent
    )
    seconds = time.perf_counter() - started
    (log_dir / f"{Path(script).stem}.txt").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return [], f"FAILED (exit {result.returncode}): {last}"
    return parse_figures(result.stdout), f"ok, {seconds:.0f} s"


def main() -> None:
    """Run the scripts and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only these scripts (repeatable)")
    parser.add_argument("--log-dir", type=Path, default=HERE.parent / "results" / "bench")
    args = parser.parse_args()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    rows, failed, started = [], False, time.perf_counter()
    for script, arguments in SCRIPTS:
        if args.only and script not in args.only and Path(script).stem not in args.only:
            continue
        print(f"running benchmarks/{script} {' '.join(arguments)}".rstrip(), file=sys.stderr, flush=True)
        figures, status = run(script, arguments, args.log_dir)
        print(f"  {status}", file=sys.stderr, flush=True)
        failed |= status.startswith("FAILED")
        rows += [(script, *f) for f in figures] or [(script, "(accuracy study, no speed figure)", "—", "—")]
        if status.startswith("FAILED"):
            rows[-1] = (script, status, "—", "—")
    took = time.perf_counter() - started
    print(f"\nbenchmarks on {machine()}, {took / 60:.1f} min; full outputs in {args.log_dir}/\n")
    widths = [max(len(row[i]) for row in [("script", "figure", "today", "target"), *rows]) for i in range(4)]
    for row in [("script", "figure", "today", "target"), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
