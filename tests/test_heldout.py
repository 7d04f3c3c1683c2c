"""Held-out accuracy: a memorizing world model is caught, the exact reference models are not."""

from __future__ import annotations

import json
import shutil

import pytest

from cwmb.benchmark import get_env
from cwmb.benchmark.reference import reference_source
from cwmb.heldout import heldout_accuracy_of, heldout_block, load_heldout
from cwmb.program_eval import score_program
from cwmb.trajectories import load_dataset
from cwmb.trajectories.collection import CollectionRequest, collect_env
from cwmb.trajectories.pinned import shipped_root
from cwmb.trajectories.storage import write_dataset

SHIPPED = shipped_root()
# The exact references: 1.0 on both splits. (Blackjack's reference cannot foresee the cards
# drawn, so it is not exact on either split.)
EXACT_REFERENCES = (
    "CliffWalking-v0",
    "Taxi-v3",
    "CartPole-v1",
    "MountainCar-v0",
    "Acrobot-v1",
    "Pendulum-v1",
)


@pytest.fixture(scope="module")
def pool():
    from cwmb.sandbox import WorkerPool

    with WorkerPool(size=1) as running:
        yield running


def memorizing_source(env: str) -> str:
    """A program that looks each search transition up in a dict and returns the state unchanged otherwise."""
    data = load_dataset(SHIPPED, env)
    table = {}
    for i in range(len(data)):
        key = (tuple(float(v) for v in data.states[i]), int(data.actions[i][0]))
        table[key] = (
            [float(v) for v in data.next_states[i]],
            float(data.rewards[i]),
            bool(data.terminated[i]),
        )
    return (
        "import numpy as np\n\n"
        f"TABLE = {table!r}\n\n\n"
        "class Environment:\n"
        "    def set_state(self, state):\n"
        "        self.state = [float(v) for v in np.asarray(state).reshape(-1)]\n\n"
        "    def step(self, action):\n"
        "        key = (tuple(self.state), int(np.asarray(action).reshape(-1)[0]))\n"
        "        if key in TABLE:\n"
        "            return TABLE[key]\n"
        "        return list(self.state), 0.0, False\n"
    )


def test_a_memorizing_model_is_perfect_on_search_data_and_poor_on_held_out_data(pool):
    source = memorizing_source("CartPole-v1")
    search = score_program(source, load_dataset(SHIPPED, "CartPole-v1"), pool, "default", 60.0)
    heldout = heldout_block(source, SHIPPED, "CartPole-v1", pool, 60.0)
    assert search.result.accuracy == 1.0
    assert heldout["status"] == "ok" and heldout["transitions"] > 0
    # Only `done` (mostly False) can be right for an identity model on unseen states.
    assert heldout_accuracy_of(heldout) < 0.4


@pytest.mark.parametrize("env", EXACT_REFERENCES)
def test_exact_reference_models_are_perfect_on_both_splits(pool, env):
    source = reference_source(env)
    search = score_program(source, load_dataset(SHIPPED, env), pool, "default", 60.0)
    heldout = heldout_block(source, SHIPPED, env, pool, 60.0, ("default", "original"))
    assert search.result.accuracy == 1.0
    assert heldout_accuracy_of(heldout) == 1.0
    # the original code's metric has its own quirks (exact float rewards, terminal 0.5/0.5): present only
    assert 0.0 < heldout_accuracy_of(heldout, "original") <= 1.0


@pytest.mark.parametrize("env", ["CartPole-v1", "MountainCar-v0", "Acrobot-v1", "Pendulum-v1", "Hopper-v4"])
def test_continuous_state_envs_share_no_transition_between_the_splits(env):
    search, heldout = load_dataset(SHIPPED, env), load_heldout(SHIPPED, env)
    pairs = lambda d: {(tuple(s), tuple(a)) for s, a in zip(d.states, d.actions, strict=True)}  # noqa: E731
    assert not pairs(search) & pairs(heldout)


@pytest.mark.parametrize("env", ["Blackjack-v1", "CliffWalking-v0", "Taxi-v3"])
def test_small_state_spaces_repeat_states_but_the_held_out_data_still_differs(env):
    search, heldout = load_dataset(SHIPPED, env), load_heldout(SHIPPED, env)
    assert heldout.manifest["split"] == "heldout" and heldout.manifest["seed"] != search.manifest["seed"]
    assert (len(search), search.states.tobytes()) != (len(heldout), heldout.states.tobytes())


def test_a_data_root_without_a_held_out_split_says_how_to_make_it(tmp_path, pool):
    shutil.copytree(
        SHIPPED / "CartPole-v1", tmp_path / "CartPole-v1", ignore=shutil.ignore_patterns("heldout")
    )
    block = heldout_block(reference_source("CartPole-v1"), tmp_path, "CartPole-v1", pool, 60.0)
    assert block["status"] == "missing" and block["accuracy"] is None
    assert "cwmb collect --split heldout --env CartPole-v1" in block["message"]


def test_a_damaged_held_out_split_is_reported_not_scored(tmp_path, pool):
    request = CollectionRequest(get_env("CartPole-v1"), 1, 2, 10, split="heldout")
    directory = write_dataset(tmp_path, *collect_env(request))
    parquet = directory / "transitions.parquet"
    parquet.write_bytes(parquet.read_bytes()[:-1] + b"\0")
    block = heldout_block(reference_source("CartPole-v1"), tmp_path, "CartPole-v1", pool, 60.0)
    assert block["status"] == "invalid" and "does not match the sha256" in block["message"]


def test_an_evaluation_recorded_before_held_out_data_gains_it_when_resumed(tmp_path):
    from cwmb.evaluation import EvaluationRequest, evaluate_program
    from cwmb.planning.profiles import load_profile
    from cwmb.planning.sandboxed import PLANNING_PRELOAD
    from cwmb.sandbox import WorkerPool

    tiny = {"episode_cap": 3, "mcts.simulations": 2, "mcts.max_rollout_steps": 2}
    request = EvaluationRequest(
        get_env("Taxi-v3"), reference_source("Taxi-v3"), "ref", load_profile("quick", tiny)
    )
    out = tmp_path / "evaluation.json"
    with WorkerPool(size=1, preload=PLANNING_PRELOAD) as planning_pool:
        evaluate_program(request, planning_pool, 1, out)
        old = json.loads(out.read_text())
        del old["accuracy"]["heldout"]  # as written before held-out data existed
        out.write_text(json.dumps(old))
        resumed = evaluate_program(request, planning_pool, 1, out)
    assert resumed["episodes"] == old["episodes"]  # the episode was reused, not replayed
    assert resumed["accuracy"]["heldout"]["accuracy"] == 1.0
