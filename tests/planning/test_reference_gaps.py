"""No R is ever computed against a missing or unfinished reference (the shipped paper file has both)."""

from __future__ import annotations

import json

from cwmb.benchmark import get_env
from cwmb.evaluation import EvaluationRequest, _returns_block
from cwmb.planning.profiles import load_profile
from cwmb.planning.references import ReferenceReturns, load_reference_returns, reference_summaries


def block_for(env: str, references, profile: str = "paper") -> dict:
    request = EvaluationRequest(get_env(env), "", "x", load_profile(profile))
    return _returns_block([{"episode_return": 1.0}, {"episode_return": 3.0}], request, references)


def test_an_env_without_oracle_episodes_gets_no_r_and_the_command_to_finish():
    store = load_reference_returns("paper")
    missing = [env for env, agents in store.missing().items() if "oracle" in agents]
    assert missing, "the shipped paper file has no gap left: pick another fixture"
    for env in missing:
        block = block_for(env, reference_summaries)
        assert block["normalized"] is None and "random_mean" not in block
        assert f"cwmb references --profile paper --env {env} --agent oracle" in block["normalized_note"]
        entry = store.missing()[env]["oracle"]
        assert entry["command"] == f"cwmb references --profile paper --agent oracle --env {env} --workers 2"
        assert entry["estimated_seconds"] is not None and entry["basis"].startswith(("estimate", "measured"))


def test_an_unfinished_reference_gets_no_r(tmp_path):
    data = json.loads(load_reference_returns("quick").path.read_text())
    oracle = data["envs"]["CartPole-v1"]["oracle"]
    for key in ("episodes", "returns", "lengths", "seconds", "outcomes", "decisions"):
        oracle[key] = oracle[key][:1]  # 1 of the profile's 2 episodes
    path = tmp_path / "quick.json"
    path.write_text(json.dumps(data))
    assert ReferenceReturns.read(path).missing()["CartPole-v1"]["oracle"]["episodes"] == [1]
    block = block_for("CartPole-v1", lambda env, profile: reference_summaries(env, profile, path), "quick")
    assert block["normalized"] is None and "unfinished (1 of 2 episodes)" in block["normalized_note"]


def test_a_finished_reference_gives_r_and_says_how_many_oracle_episodes_it_rests_on():
    block = block_for("CartPole-v1", reference_summaries, "quick")
    assert block["normalized"] is not None and block["oracle_episodes"] == 2
    assert "normalizers" not in block  # our own references carry no label
