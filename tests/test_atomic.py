"""Atomic writes replace whole files and leave no temporary files behind."""

from __future__ import annotations

import json

import pytest

from cwmb.atomic import write_atomic, write_json_atomic


def test_replaces_text_and_bytes_and_creates_folders(tmp_path):
    target = tmp_path / "deep" / "file.txt"
    write_atomic(target, "first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_json_is_sorted_and_ends_with_a_newline(tmp_path):
    write_json_atomic(tmp_path / "a.json", {"b": 1, "a": 2})
    text = (tmp_path / "a.json").read_text()
    assert text.endswith("\n") and list(json.loads(text)) == ["a", "b"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "a.json"
    write_json_atomic(target, {"ok": 1})
    with pytest.raises(TypeError):
        write_atomic(target, 42)  # not text or bytes
    assert json.loads(target.read_text()) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
