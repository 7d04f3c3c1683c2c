"""``cwmb sandbox status`` and the root --isolation/--run-as options, through real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def cwmb(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_status_names_every_layer_and_json_says_the_same():
    text = cwmb("sandbox", "status")
    assert text.returncode == 0, text.stderr
    document = json.loads(cwmb("sandbox", "status", "--json").stdout)
    assert text.stdout.splitlines()[0] == document["summary"]
    assert document["mode"] == "standard"
    for layer in ("landlock", "userns", "seccomp", "uid"):
        assert layer in document["summary"]
    assert ("every layer active" in text.stdout) == (document["missing"] == [])


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid layer exists only for a root harness")
def test_strict_refuses_when_a_layer_is_off():
    result = cwmb("--isolation", "strict", "--run-as", "none", "sandbox", "status")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: isolation is strict but these layers are not active: unprivileged uid"
    )
    assert "hint:" in result.stderr and "Traceback" not in result.stderr


def test_bad_settings_are_one_line_errors():
    for args, message in (
        (("--isolation", "paranoid"), "error: unknown isolation 'paranoid'"),
        (("--run-as", "no-such-user-here"), "error: no user named 'no-such-user-here'"),
    ):
        result = cwmb(*args, "sandbox", "status")
        assert result.returncode == 2 and result.stderr.startswith(message), result.stderr


def test_the_environment_variable_sets_the_mode():
    if json.loads(cwmb("sandbox", "status", "--json").stdout)["missing"]:
        pytest.skip("strict mode needs every layer")
    result = cwmb("sandbox", "status", "--json", env={**os.environ, "CWMB_ISOLATION": "strict"})
    assert result.returncode == 0 and json.loads(result.stdout)["mode"] == "strict"
