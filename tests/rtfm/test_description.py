"""The RTFM prompt description: its sections, and a golden copy of exactly what the LLM sees.

Regenerate the golden copy after an intended change with::

    CWMB_UPDATE_GOLDEN=1 .venv/bin/pytest tests/rtfm/test_description.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cwmb.benchmark import get_env, resolve_envs
from cwmb.benchmark.descriptions import describe_env
from cwmb.rtfm import rules

GOLDEN = Path(__file__).parent / "golden" / "RTFM-SimpleStationary-v0.txt"


def test_description_matches_its_golden_copy():
    text = describe_env(get_env("RTFM-SimpleStationary-v0"))
    if os.environ.get("CWMB_UPDATE_GOLDEN"):
        GOLDEN.write_text(text + "\n")
    assert text + "\n" == GOLDEN.read_text()


def test_description_has_the_papers_sections_and_every_word():
    text = describe_env(get_env("RTFM-SimpleStationary-v0"))
    for heading in (
        "## Rules",
        "## Manual",
        "## Player goal",
        "## Board representation",
        "## Class Definition",
    ):
        assert heading in text
    assert "Defeat the Order of the Forest." in text
    assert "((next_board, next_inventory), valid_actions, reward, done)" in text
    for word in rules.VOCABULARY:
        assert f"'{word}'" in text
    without = describe_env(get_env("RTFM-SimpleStationary-v0"), with_contract=False)
    assert "## Class Definition" not in without


def test_rtfm_is_known_by_name_but_not_part_of_all():
    assert get_env("cwmb/RTFM-SimpleStationary-v0").name == "RTFM-SimpleStationary-v0"
    assert "RTFM-SimpleStationary-v0" not in [s.name for s in resolve_envs(["all"])]


def test_cwmb_envs_lists_rtfm_in_its_own_group():
    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, check=True
        ).stdout

    assert "RTFM (paper §5.4, Table 3)" in run("envs")
    rows = json.loads(run("envs", "--json"))
    assert [r["group"] for r in rows].count("cwmb") == 18
    assert [r["name"] for r in rows if r["group"] == "rtfm"] == ["RTFM-SimpleStationary-v0"]
