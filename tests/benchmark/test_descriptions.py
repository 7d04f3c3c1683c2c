"""Env descriptions for prompts: the cleaner, the v4 corrections, the contract and golden copies.

The golden files in ``golden_descriptions/`` hold every description exactly as the LLM sees it.
After an intended change (or a gymnasium upgrade, once the new text has been reviewed),
regenerate them with::

    CWMB_UPDATE_GOLDEN=1 .venv/bin/pytest tests/benchmark/test_descriptions.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cwmb.benchmark import ENVS, EnvSpec, get_env
from cwmb.benchmark.description_notes import NOTES, Edit, EnvNotes
from cwmb.benchmark.descriptions import apply_notes, clean_docstring, contract_text, describe_env
from cwmb.benchmark.making import make_env

GOLDEN_DIR = Path(__file__).parent / "golden_descriptions"
REGENERATE = "CWMB_UPDATE_GOLDEN=1 .venv/bin/pytest tests/benchmark/test_descriptions.py"
MUJOCO_V4 = [spec for spec in ENVS if spec.family == "mujoco" and spec.gym_id.endswith("-v4")]

SAMPLE_DOC = """
    A one-line summary.

    ## Description
    Drive the [cart](https://example.org/cart) to the goal [<a href="#ref">1</a>].
    See <a href="#opt">`option`</a> and https://example.org/raw for more.
    ![figure](/_static/figure.png)
    ```{figure} figures/cart.png
    :name: cart
    ```


    Speed is v<sub>t+1</sub> = v<sub>t</sub> + x<sup>2</sup>.

    ## Arguments
    ```python
    # a comment, not a heading
    env = make("Cart")
    ```
    Text about arguments.

    ## Rewards
    -1 per step.
    >>> env.step(0)
    (0, -1, False)

    ## Vectorized environment
    Use many.

    ## Version History
    * v1: something
"""


def test_clean_docstring_keeps_behaviour_and_drops_the_rest():
    text = clean_docstring(SAMPLE_DOC)
    assert text == (
        "A one-line summary.\n\n"
        "## Description\n"
        "Drive the cart to the goal.\n"
        "See `option` and  for more.\n\n"
        "Speed is v_{t+1} = v_t + x^2.\n\n"
        "## Rewards\n"
        "-1 per step."
    )


@pytest.mark.parametrize("section", ["Arguments", "Version History", "Vectorized Environment", "References"])
def test_clean_docstring_drops_each_named_section(section):
    text = clean_docstring(f"## Description\nKept.\n\n## {section}\nGone.\n\n## Episode End\nAlso kept.")
    assert text == "## Description\nKept.\n\n## Episode End\nAlso kept."


def test_clean_docstring_handles_mixed_fences_and_lost_backslashes():
    # Acrobot opens a fence with ''' and closes it with ```; IP-v5 lost the backslash of \times.
    doc = "## Notes\nBefore.\n'''python\nenv.dt = 0.05\n```\nAfter.\n\nU(-s \times I)"
    assert clean_docstring(doc) == "## Notes\nBefore.\nAfter.\n\nU(-s \\times I)"


def test_apply_notes_edits_spans_and_appends_differences():
    notes = EnvNotes(
        edits=(Edit("size 10", "size 11"), Edit("Old start", "New.\n", until="Tail")),
        differences=("one",),
    )
    text = apply_notes("A size 10.\n\nOld start\nmiddle\nTail", notes)
    assert text.startswith("A size 11.\n\nNew.\nTail\n\n## Differences in this version (v4)\n")
    assert text.endswith("\n\n- one")


@pytest.mark.parametrize("edit", [Edit("absent"), Edit("twice"), Edit("once", until="absent")])
def test_apply_notes_refuses_an_edit_that_does_not_apply(edit):
    with pytest.raises(ValueError, match="Env"):
        apply_notes("twice once twice", EnvNotes(edits=(edit,)), "Env")


def _spec(obs: str, act: str) -> EnvSpec:
    return EnvSpec("Fake-v0", "Fake-v0", "toy_text", "discrete", obs, act, None, 100)


@pytest.mark.parametrize(
    ("obs", "act", "obs_text", "act_text"),
    [
        ("Discrete(48)", "Discrete(4)", "a Python int from 0 to 47", "a Python int from 0 to 3"),
        (
            "Tuple(Discrete 32, 11, 2)",
            "Discrete(2)",
            "a tuple of three Python ints",
            "a Python int from 0 to 1",
        ),
        (
            "Box(23,) float64",
            "Box(±2, (7,)) float32",
            "a numpy array of shape (23,) and dtype float64",
            "a numpy array of shape (7,) and dtype float32, each element in [-2, 2]",
        ),
    ],
)
def test_contract_states_the_concrete_types(obs, act, obs_text, act_text):
    text = contract_text(_spec(obs, act))
    assert obs_text in text
    assert act_text in text
    for phrase in (
        "class named `Environment`",
        "`__init__(self)`",
        "`set_state(self, state)`",
        "`step(self, action)`",
        "`(next_state, reward, done)`",
        "Python float",
        "time limit",
        "`numpy` and modules of the Python standard library only",
        "Do not import\n  `gymnasium`",
    ):
        assert phrase in text


def test_contract_refuses_an_unknown_space():
    with pytest.raises(ValueError, match="Fake-v0"):
        contract_text(_spec("Graph(3)", "Discrete(2)"))


def test_notes_name_real_envs_and_every_v4_mujoco_env_has_its_differences():
    assert set(NOTES) <= {spec.name for spec in ENVS}
    for spec in MUJOCO_V4:
        assert NOTES[spec.name].doc_from == spec.gym_id.replace("-v4", "-v5")
        assert NOTES[spec.name].differences


@pytest.mark.parametrize("spec", ENVS, ids=lambda s: s.name)
def test_description_matches_golden_copy(spec):
    text = describe_env(spec) + "\n"
    golden = GOLDEN_DIR / f"{spec.name}.txt"
    if os.environ.get("CWMB_UPDATE_GOLDEN") == "1":
        GOLDEN_DIR.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; create it with: {REGENERATE}"
    assert text == golden.read_text(encoding="utf-8"), (
        f"the description of {spec.name} changed (gymnasium upgrade or code change?). "
        f"Review the difference, then regenerate the golden copies with: {REGENERATE}"
    )


FORBIDDEN = (
    "http",
    "www.",
    "Version History",
    "Arguments",
    ">>>",
    "```",
    "<a ",
    "<sup>",
    "Gif",
    "slippery",
    "is_slippery",
    "rainy",
    "fickle",
    "sutton_barto",
    "natural is True",
    "mujoco-py",
    "info[",
)


@pytest.mark.parametrize("spec", ENVS, ids=lambda s: s.name)
def test_description_is_clean_and_substantial(spec):
    text = describe_env(spec)
    for word in FORBIDDEN:
        assert word not in text, f"{spec.name}: {word!r} in description"
    assert "\n\n\n" not in text
    assert len(text) > 3000
    assert "Action Space" in text
    assert "Observation Space" in text
    assert text.count("## Class Definition") == 1
    assert "## Class Definition" not in describe_env(spec, with_contract=False)


@pytest.mark.parametrize("spec", ENVS, ids=lambda s: s.name)
def test_stated_observation_size_and_dtype_are_the_real_ones(spec):
    env = make_env(spec)
    text = describe_env(spec)
    if spec.observation_space.startswith("Box"):
        shape, dtype = env.observation_space.shape, env.observation_space.dtype
        assert f"a numpy array of shape ({shape[0]},) and dtype {dtype}" in text
    if spec.family == "mujoco":
        stated = re.findall(r"observation space is a `Box\(-Inf, Inf, \((\d+),\), float64\)`", text)
        assert stated and {int(d) for d in stated} == {env.observation_space.shape[0]}
    if spec in MUJOCO_V4:
        stated = re.findall(r"The observation has (\d+) elements", text)
        assert all(int(d) == env.observation_space.shape[0] for d in stated)


def _step(name: str, qpos=None, qvel=None, action=None):
    """Step a MuJoCo env from a chosen physical state; return env, obs before, action, results."""
    env = make_env(name)
    env.reset(seed=0)
    if qpos is not None:
        env.set_state(np.asarray(qpos, float), np.asarray(qvel, float))
    before = env._get_obs()
    action = np.zeros(env.action_space.shape, np.float32) if action is None else action
    obs, reward, terminated, _, info = env.step(action)
    return env, before, action, obs, reward, terminated, info


def test_reacher_v4_reward_uses_the_state_before_the_step():
    action = np.array([0.5, -0.3], np.float32)
    _, before, _, obs, reward, _, _ = _step("Reacher-v4", action=action)
    assert obs[10] == 0.0
    expected = -np.linalg.norm(before[8:11]) - np.sum(np.square(action))
    assert reward == pytest.approx(expected, rel=1e-9)


def test_pusher_near_reward_is_fingertip_to_object():
    action = np.full(7, 0.5, np.float32)
    _, _, _, obs, reward, _, _ = _step("Pusher-v4", action=action)
    tip, obj, goal = obs[14:17], obs[17:20], obs[20:23]
    expected = -0.5 * np.linalg.norm(obj - tip) - np.linalg.norm(obj - goal) - 0.1 * np.sum(np.square(action))
    assert reward == pytest.approx(expected, rel=1e-9)


def test_inverted_pendulums_v4_pay_the_bonus_on_the_terminating_step():
    *_, reward, terminated, _ = _step("InvertedPendulum-v4", [0.0, 0.19], [0.0, 3.0])
    assert terminated and reward == 1.0
    env, _, _, obs, reward, terminated, _ = _step(
        "InvertedDoublePendulum-v4", [0.0, 0.6, 0.6], [0.0, 2.0, 2.0]
    )
    assert terminated
    x, _, y = env.data.site_xpos[0]
    v1, v2 = env.data.qvel[1:3]
    expected = 10 - (0.01 * x**2 + (y - 2) ** 2) - (1e-3 * v1**2 + 5e-3 * v2**2)
    assert reward == pytest.approx(expected, rel=1e-9)
    assert np.all(np.abs(obs[5:]) <= 10)


@pytest.mark.parametrize(
    ("name", "healthy_reward", "unhealthy_qpos"),
    [
        ("Hopper-v4", 1.0, {1: 0.5}),
        ("Walker2d-v4", 1.0, {1: 0.5}),
        ("Ant-v4", 1.0, {2: 1.5}),
        ("Humanoid-v4", 5.0, {2: 0.8}),
    ],
)
def test_v4_pays_healthy_reward_when_terminating(name, healthy_reward, unhealthy_qpos):
    env = make_env(name)
    env.reset(seed=0)
    qpos = env.init_qpos.copy()
    for index, value in unhealthy_qpos.items():
        qpos[index] = value
    *_, reward, terminated, info = _step(name, qpos, env.init_qvel)
    assert terminated
    # Zero action, so no control cost: the reward is forward velocity (weighted) + survival.
    weight = 1.25 if name == "Humanoid-v4" else 1.0
    assert reward == pytest.approx(weight * info["x_velocity"] + healthy_reward, rel=1e-9)


def test_hopper_and_walker_observations_clip_velocities():
    for name, nq in (("Hopper-v4", 6), ("Walker2d-v4", 9)):
        env = make_env(name)
        env.reset(seed=0)
        *_, obs, _, _, _ = _step(name, env.init_qpos, np.full(nq, 50.0))
        assert np.max(np.abs(obs[nq - 1 :])) == 10.0


def test_humanoid_standup_height_reward_divides_by_the_simulation_timestep():
    action = np.full(17, 0.2, np.float32)
    env, _, _, _, reward, _, _ = _step("HumanoidStandup-v4", action=action)
    impact = min(0.5e-6 * np.sum(np.square(env.data.cfrc_ext)), 10)
    expected = env.data.qpos[2] / 0.003 - 0.1 * np.sum(np.square(action)) - impact + 1
    assert env.init_qpos[2] == 0.105
    assert reward == pytest.approx(expected, rel=1e-9)


def test_cli_describe_prints_the_description():
    result = subprocess.run(
        [sys.executable, "-m", "cwmb", "describe", "Ant-v4", "--no-contract"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == describe_env(get_env("Ant-v4"), with_contract=False) + "\n"
