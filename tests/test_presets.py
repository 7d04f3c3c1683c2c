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


def test_resolution_order_path_then_working_directory_then_packaged(tmp_path, monkeypatch):
    from cwmb.llm.config import CONFIG_DIR, load_llm_config
    from cwmb.presets import find_preset

    local = tmp_path / "configs" / "llms"
    local.mkdir(parents=True)
    (local / "mine.yaml").write_text("backend: offline\nname: mine\n")
    (local / "offline.yaml").write_text("backend: offline\nname: my-offline\n")  # shadows the packaged one
    explicit = tmp_path / "elsewhere.yaml"
    explicit.write_text("backend: offline\nname: explicit\n")
    monkeypatch.chdir(tmp_path)

    assert find_preset(explicit, CONFIG_DIR) == explicit  # 1. an explicit path
    assert find_preset("mine", CONFIG_DIR).resolve() == (local / "mine.yaml").resolve()  # 2. ./configs
    assert load_llm_config("offline").name == "my-offline"
    assert find_preset("gpt-4-turbo", CONFIG_DIR) == CONFIG_DIR / "gpt-4-turbo.yaml"  # 3. packaged
    assert {"mine", "offline", "gpt-4-turbo"} <= set(list_presets(CONFIG_DIR))


def test_every_kind_of_preset_is_found_from_any_directory(tmp_path, monkeypatch):
    from cwmb.llm.config import load_llm_config
    from cwmb.methods.registry import load_method_config
    from cwmb.planning.profiles import load_profile

    monkeypatch.chdir(tmp_path)  # no configs/ here: the packaged defaults answer
    assert load_profile("quick").name == "quick"
    assert load_method_config("worldcoder").name == "worldcoder"
    assert load_llm_config("gpt-4-turbo").model == "gpt-4-turbo"


def test_a_directory_that_is_not_packaged_is_searched_alone(tmp_path, monkeypatch):
    own = tmp_path / "own"
    own.mkdir()
    (tmp_path / "configs" / "own").mkdir(parents=True)
    (tmp_path / "configs" / "own" / "x.yaml").write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert list_presets(own) == []  # ./configs/own is not consulted for a caller's own directory
