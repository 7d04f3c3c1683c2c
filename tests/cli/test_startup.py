"""`cwmb --help` and `cwmb envs` run without the heavy libraries (start-up budget: 0.3 s).

The time itself is measured by benchmarks/startup.py; tests only check what is imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("gymnasium", "mujoco", "litellm", "numpy", "pandas", "pydantic", "rich.markdown")

PROBE = """
import contextlib, io, json, sys
from cwmb.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.parametrize("args", [["--help"], ["envs"], ["envs", "--json"], ["envs", "--help"]])
def test_fast_commands_import_nothing_heavy(args):
    code = PROBE.format(heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_help_still_works_for_every_command_and_flags_still_parse():
    result = subprocess.run(
        [sys.executable, "-m", "cwmb", "references", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "--estimate" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "cwmb", "envs", "--json"], capture_output=True, text=True, timeout=120
    )
    rows = json.loads(result.stdout)
    assert result.returncode == 0 and sum(row["group"] == "cwmb" for row in rows) == 18
