"""Start-up time of the CLI: `cwmb --help` and `cwmb envs`, against a bare Python start.

Each command runs in a fresh process ``REPEATS`` times; the fastest run counts (the
machine is shared). Wall time is what a user waits; CPU time shows the work. Target:
under 0.3 s wall, with none of litellm, gymnasium, mujoco (or numpy) imported
(``tests/cli/test_startup.py`` checks the imports).

Run: .venv/bin/python benchmarks/startup.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

from figures import figure

REPEATS = 10
TARGET_SECONDS = 0.3
CWMB = str(Path(sys.executable).with_name("cwmb"))


def fastest(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of ``REPEATS`` runs of ``command``."""
    walls, cpus = [], []
    for _ in range(REPEATS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> None:
    """Print the table and one figure per command."""
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("cwmb --help", [CWMB, "--help"]),
        ("cwmb envs", [CWMB, "envs"]),
    ]
    print(f"{'command':16s} {'wall s':>7s} {'CPU s':>7s}")
    results = {}
    for label, command in rows:
        results[label] = fastest(command)
        print(f"{label:16s} {results[label][0]:7.3f} {results[label][1]:7.3f}")
    print(f"target: under {TARGET_SECONDS} s wall (fastest of {REPEATS}); CPU time for a loaded machine")
    for label in ("cwmb --help", "cwmb envs"):
        wall, cpu = results[label]
        figure(f"start-up wall, {label}", wall, f"< {TARGET_SECONDS} s", unit=" s")
        figure(f"start-up CPU, {label}", cpu, f"< {TARGET_SECONDS} s", unit=" s")


if __name__ == "__main__":
    main()
