"""Reference returns: per-episode jobs, resumable, invalidated by changed settings, loaded safely."""

from __future__ import annotations

import json
import math

import pytest

from cwmb.benchmark import ENVS
from cwmb.errors import CwmbError
from cwmb.planning.normalized import ReturnSummary
from cwmb.planning.profiles import load_profile
from cwmb.planning.reference_runner import Job, compute_references, plan_jobs
from cwmb.planning.references import (
    REFERENCE_AGENTS,
    ReferenceReturns,
    changed_keys,
    library_versions,
    load_reference_returns,
    reference_summaries,
)

ENVS_UNDER_TEST = [s for s in ENVS if s.name in ("Blackjack-v1", "CartPole-v1", "Pendulum-v1")]
TINY = {
    "episodes": 2,
    "episode_cap": 10,
    "mcts.simulations": 2,
    "mcts.max_rollout_steps": 5,
    "cem.horizon": 5,
    "cem.iterations": 1,
    "cem.samples": 8,
    "cem.elites": 2,
}


def tiny(**changes):
    return load_profile("quick", TINY | changes)


def compute(path, profile=None, **options):
    return compute_references(profile or tiny(), ENVS_UNDER_TEST, list(REFERENCE_AGENTS), path, **options)


def recorded(path) -> dict:
    """(env, agent, episode) -> the episode's record, as written in the file."""
    store = ReferenceReturns.read(path)
    return {
        (env, agent, index): record
        for (env, agent), block in store.blocks.items()
        for index, record in block.episodes.items()
    }


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished tiny run: 3 envs, both agents, 2 episodes each."""
    path = tmp_path_factory.mktemp("refs") / "tiny.json"
    report = compute(path, command="cwmb references --test")
    assert report.planned == report.finished == 12 and not report.failures
    return path


def test_file_holds_summaries_settings_versions_and_what_is_missing(finished):
    data = json.loads(finished.read_text())
    assert data["profile"]["episodes"] == 2 and data["profile"]["mcts"]["simulations"] == 2
    assert data["versions"] == library_versions() and data["commands"] == ["cwmb references --test"]
    oracle = data["envs"]["CartPole-v1"]["oracle"]
    assert oracle["n"] == 2 and oracle["episodes"] == [0, 1] and oracle["missing"] == []
    assert oracle["mean"] == pytest.approx(sum(oracle["returns"]) / 2)
    assert oracle["standard_error"] == pytest.approx(ReturnSummary.of(oracle["returns"]).standard_error)
    assert all(length <= 10 for length in oracle["lengths"]) and len(oracle["seconds"]) == 2
    assert (
        oracle["settings"]["mcts"]["simulations"] == 2 and "mcts" not in data["envs"]["CartPole-v1"]["random"]
    )
    # The other 15 CWMB envs and RTFM are listed as missing, with no cost known yet.
    assert not data["complete"] and len(data["missing"]) == 16 and "CartPole-v1" not in data["missing"]
    assert data["missing"]["Hopper-v4"]["oracle"] == {
        "episodes": [0, 1],
        "estimated_seconds": None,
        "basis": "unknown: run `cwmb references --estimate` to measure",
        # The file is not the shipped one of its profile, so the command names it.
        "command": "cwmb references --profile quick --agent oracle --env Hopper-v4 --workers 2 "
        f"--out {finished}",
    }
    assert data["missing_estimated_seconds"] is None


def test_a_rerun_redoes_nothing(finished):
    before = recorded(finished)
    report = compute(finished)
    assert (report.planned, report.finished) == (0, 0)
    assert recorded(finished) == before  # same records, same measured seconds: nothing was re-run


def test_an_interrupted_run_keeps_its_finished_episodes_and_resumes(tmp_path):
    path = tmp_path / "stopped.json"
    seen = []

    def stop_after_three(outcome, done, total):
        seen.append(outcome.job)
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compute(path, progress=stop_after_three)
    kept = recorded(path)
    assert set(kept) == {(job.env, job.agent, job.episode) for job in seen} and len(kept) == 3
    report = compute(path)
    assert report.planned == 12 - 3 and report.finished == 9
    after = recorded(path)
    assert len(after) == 12 and all(after[key] == kept[key] for key in kept)


def test_limit_runs_the_first_episodes_and_keeps_the_target(tmp_path):
    path = tmp_path / "limited.json"
    report = compute(path, limit=1)
    assert report.finished == 6
    store = ReferenceReturns.read(path)
    assert store.target == 2 and store.block("Pendulum-v1", "oracle").missing(2) == [1]
    assert compute(path).finished == 6


def test_random_jobs_come_first_then_the_oracle_env_by_env(tmp_path):
    store = ReferenceReturns(tmp_path / "none.json")
    store.adopt(tiny(), library_versions(), None)
    jobs = plan_jobs(store, ENVS_UNDER_TEST, ["oracle", "random"])
    assert [j.agent for j in jobs] == ["random"] * 6 + ["oracle"] * 6
    assert jobs[6:8] == [Job("Blackjack-v1", "oracle", 0), Job("Blackjack-v1", "oracle", 1)]


def test_a_changed_planner_setting_invalidates_only_the_episodes_it_affects(finished, tmp_path):
    path = tmp_path / "changed.json"
    path.write_text(finished.read_text())
    before = recorded(path)
    changed = tiny(**{"mcts.simulations": 3})
    with pytest.raises(CwmbError) as refused:
        compute(path, changed)
    assert "mcts.simulations" in refused.value.message and "--force" in refused.value.hint
    report = compute(path, changed, force=True)
    # MCTS envs' oracle episodes are redone; random episodes and the CEM oracle are still valid.
    assert sorted(note.split(":")[0] for note in report.dropped) == [
        "Blackjack-v1 oracle",
        "CartPole-v1 oracle",
    ]
    assert report.finished == 4
    after = recorded(path)
    kept = [key for key in before if key[1] == "random" or key[0] == "Pendulum-v1"]
    assert len(kept) == 8 and all(after[key] == before[key] for key in kept)
    assert ReferenceReturns.read(path).block("CartPole-v1", "oracle").settings["mcts"]["simulations"] == 3


def test_a_changed_episode_cap_invalidates_random_episodes_too(finished, tmp_path):
    path = tmp_path / "cap.json"
    path.write_text(finished.read_text())
    report = compute(path, tiny(episode_cap=6), force=True)
    assert len(report.dropped) == 6 and report.finished == 12
    data = json.loads(path.read_text())
    assert data["envs"]["Pendulum-v1"]["random"]["lengths"] == [6, 6]


def test_changed_keys_names_nested_settings():
    assert changed_keys({"a": 1, "b": {"c": 2, "d": 3}}, {"a": 1, "b": {"c": 5, "d": 3}, "e": 0}) == [
        "b.c",
        "e",
    ]


def test_parallel_workers_give_the_same_returns(finished, tmp_path):
    path = tmp_path / "parallel.json"
    envs = [s for s in ENVS_UNDER_TEST if s.name != "Pendulum-v1"]
    report = compute_references(tiny(), envs, ["oracle", "random"], path, workers=2)
    assert report.finished == 8 and not report.failures
    serial, parallel = recorded(finished), recorded(path)
    assert set(parallel) <= set(serial)
    assert all(parallel[key]["return"] == serial[key]["return"] for key in parallel)


def test_estimate_records_the_cost_of_a_missing_env(tmp_path):
    path = tmp_path / "estimate.json"
    reacher = [s for s in ENVS if s.name == "Reacher-v4"]
    report = compute_references(tiny(), reacher, ["oracle"], path, estimate=True)
    assert report.finished == 1
    missing = json.loads(path.read_text())["missing"]["Reacher-v4"]["oracle"]
    assert missing["episodes"] == [0, 1] and missing["estimated_seconds"] > 0
    assert missing["basis"].startswith("estimate: the first 5 of 10 steps")


def test_loader_gives_summaries_and_the_noise_flag(finished):
    refs = reference_summaries("cartpole-v1", tiny().name, path=finished)
    data = json.loads(finished.read_text())["envs"]["CartPole-v1"]
    assert refs.env == "CartPole-v1" and refs.oracle.mean == data["oracle"]["mean"]
    assert refs.random.episodes == 2 and isinstance(refs.denominator_is_noise, bool)
    assert math.isclose(refs.random.mean, data["random"]["mean"])


def test_loader_errors_say_which_command_computes_the_returns(finished, tmp_path):
    with pytest.raises(CwmbError) as absent:
        load_reference_returns("nosuch", path=tmp_path / "nosuch.json")
    assert "cwmb references --profile nosuch" in absent.value.hint
    with pytest.raises(CwmbError) as no_env:
        reference_summaries("Hopper-v4", "quick", path=finished)
    assert "Hopper-v4" in no_env.value.message and "--env Hopper-v4" in no_env.value.hint
    with pytest.raises(CwmbError) as other:
        reference_summaries("CartPole-v1", tiny(**{"mcts.simulations": 9}), path=finished)
    assert "mcts.simulations" in other.value.message


def test_unfinished_references_need_allow_partial(tmp_path):
    path = tmp_path / "partial.json"
    compute(path, limit=1)
    with pytest.raises(CwmbError) as unfinished:
        reference_summaries("Pendulum-v1", "quick", path=path)
    assert "1 of 2 episodes" in unfinished.value.message
    assert reference_summaries("Pendulum-v1", "quick", path=path, allow_partial=True).oracle.episodes == 1


def test_a_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(CwmbError, match="cannot read reference returns"):
        load_reference_returns("quick", path=path)


@pytest.mark.parametrize("name", ["quick", "paper"])
def test_shipped_reference_returns_match_their_profile(name):
    store = load_reference_returns(name)
    profile = load_profile(name)
    assert store.target == profile.episodes
    assert store.stale_blocks(profile, store.versions) == {}
    assert store.block("CartPole-v1", "random") is not None


def test_shipped_quick_references_cover_all_18_envs():
    store = load_reference_returns("quick")
    assert store.missing() == {}
    for spec in ENVS:
        refs = reference_summaries(spec.name, load_profile("quick"))
        assert refs.random.episodes == refs.oracle.episodes == 2
