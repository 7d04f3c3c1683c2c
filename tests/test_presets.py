"""Presets resolve by name or path, and an unknown one names the closest."""

from __future__ import annotations

import pytest

from cwmb.errors import CwmbError
from cwmb.presets import list_presets, resolve_preset


def test_name_path_and_unknown(tmp_path):
    (tmp_path / "quick.yaml").write_text("a: 1\n")
    (tmp_path / "paper.yaml").write_text("a: 2\n")
    assert list_presets(tmp_path) == ["paper", "quick"]
    assert resolve_preset("profile", "quick", tmp_path) == tmp_path / "quick.yaml"
    assert resolve_preset("profile", tmp_path / "paper.yaml", tmp_path) == tmp_path / "paper.yaml"
    with pytest.raises(CwmbError) as caught:
        resolve_preset("planner profile", "quik", tmp_path)
    assert caught.value.message == "no planner profile 'quik'" and "quick" in caught.value.hint
