"""``cwmb references`` as a user runs it: tiny settings, a resumed run, status, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

TINY = [
    "--set",
    "episodes=2",
    "--set",
    "episode_cap=8",
    "--set",
    "mcts.simulations=2",
    "--set",
    "mcts.max_rollout_steps=4",
]


def cwmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cwmb", *args], capture_output=True, text=True, timeout=120)


def test_compute_resume_and_status(tmp_path):
    out = tmp_path / "refs.json"
    first = cwmb(
        "references", "--env", "CartPole-v1,Blackjack-v1", "--out", str(out), "--workers", "2", *TINY
    )
    assert first.returncode == 0, first.stderr
    assert "wrote" in first.stdout and "8 job(s) run" in first.stdout
    # Not a terminal: one plain progress line per finished episode.
    assert first.stderr.count("CartPole-v1 oracle episode") == 2 and "[8/8]" in first.stderr
    data = json.loads(out.read_text())
    assert data["envs"]["CartPole-v1"]["oracle"]["n"] == 2 and data["commands"][0].startswith(
        "cwmb references --env"
    )

    again = cwmb("references", "--env", "CartPole-v1", "--out", str(out), "--workers", "1", *TINY)
    assert again.returncode == 0 and "0 job(s) run" in again.stdout

    status = cwmb("references", "--status", "--markdown", "--out", str(out), *TINY)
    assert status.returncode == 0
    row = next(line for line in status.stdout.splitlines() if line.startswith("| CartPole-v1"))
    assert "(2/2)" in row and "none" in row
    assert "| Hopper-v4 | — (0/2) | — (0/2) | — | random 2, oracle 2 | unknown |" in status.stdout


def test_changed_settings_need_force(tmp_path):
    out = tmp_path / "refs.json"
    assert (
        cwmb("references", "-e", "Blackjack-v1", "-a", "oracle", "-o", str(out), "-j", "1", *TINY).returncode
        == 0
    )
    changed = cwmb("references", "-e", "Blackjack-v1", "-o", str(out), *TINY, "--set", "mcts.simulations=3")
    assert changed.returncode == 2
    assert (
        "other settings" in changed.stderr
        and "mcts.simulations" in changed.stderr
        and "--force" in changed.stderr
    )


def test_user_errors_are_one_line_with_exit_code_2(tmp_path):
    bad_agent = cwmb("references", "--agent", "model", "--out", str(tmp_path / "x.json"))
    assert bad_agent.returncode == 2 and "unknown reference agent 'model'" in bad_agent.stderr
    assert "Traceback" not in bad_agent.stderr
    bad_env = cwmb("references", "--env", "CartPol", "--out", str(tmp_path / "x.json"))
    assert bad_env.returncode == 2 and "CartPole-v1" in bad_env.stderr
    bad_profile = cwmb("references", "--profile", "papr")
    assert bad_profile.returncode == 2 and "paper" in bad_profile.stderr
