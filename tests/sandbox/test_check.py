"""``check`` jobs report, in plain words, where a program departs from the contract."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from cwmb.sandbox import CheckJob, WorkerPool
from tests.sandbox import CARTPOLE_MODEL, cartpole_rows

CARTPOLE_HIGH = np.array([4.8, np.inf, 0.41887903, np.inf])


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=2) as pool:
        yield pool


def _check(pool, source, **space):
    states, actions = cartpole_rows(3)
    job = CheckJob(textwrap.dedent(source), "box", "discrete", states, actions, **space)
    outcome = pool.run(job, timeout=5.0)
    assert outcome.status == "ok", outcome.message
    return outcome.value


def _model(step_body: str, extra: str = "") -> str:
    """A CartPole-shaped program whose step returns ``step_body``."""
    lines = [
        "import numpy as np",
        extra,
        "class Environment:",
        "    def __init__(self):",
        "        self.s = None",
        "",
        "    def set_state(self, state):",
        "        self.s = state",
        "",
        "    def step(self, action):",
        f"        return {step_body}",
    ]
    return "\n".join(lines) + "\n"


def test_a_conforming_program_has_no_findings(pool):
    assert _check(pool, CARTPOLE_MODEL, low=-CARTPOLE_HIGH, high=CARTPOLE_HIGH) == ()


def test_structure_findings(pool):
    assert "SyntaxError on line 1" in _check(pool, "class Environment(:\n")[0]
    assert "no class named `Environment`" in _check(pool, "class Env:\n    pass\n")[0]
    findings = _check(pool, "class Environment:\n    def step(self):\n        pass\n")
    assert findings == (
        "Environment has no method `set_state(self, state)`",
        "`Environment.step` has signature step(self); expected step(self, action)",
    )
    findings = _check(
        pool,
        """
        class Environment:
            def __init__(self, seed):
                pass

            def set_state(self, state, extra):
                pass

            def step(self, action):
                pass
        """,
    )
    assert len(findings) == 2
    assert findings[0].startswith("`Environment.__init__` has signature")
    assert "set_state(self, state, extra); expected set_state(self, state)" in findings[1]


def test_output_type_shape_and_dtype_findings(pool):
    assert _check(pool, _model("self.s, 1.0, False")) == ()
    assert _check(pool, _model("list(self.s), 1.0, False"))[0].startswith("sample 0: next_state is a list")
    assert (
        _check(pool, _model("self.s[:2], 1.0, False"))[0]
        == "sample 0: next_state has shape (2,), expected (4,)"
    )
    finding = _check(pool, _model("self.s.astype(np.float64), 1.0, False"))[0]
    assert (
        finding == "sample 0: next_state has dtype float64, expected float32 (the observation space's dtype)"
    )
    findings = _check(pool, _model("self.s, '1', 0"))
    assert findings == (
        "sample 0: reward is a str 1, expected a float",
        "sample 0: done is an int 0, expected a bool",
        "sample 1: reward is a str 1, expected a float",
        "sample 1: done is an int 0, expected a bool",
        "sample 2: reward is a str 1, expected a float",
        "sample 2: done is an int 0, expected a bool",
    )
    assert _check(pool, _model("self.s, 1.0"))[0] == (
        "sample 0: step returned 2 values, expected a tuple (next_state, reward, done)"
    )


def test_bounds_findings(pool):
    source = _model("np.array([5.0, 0.0, 0.0, 0.0], dtype=np.float32), 1.0, False")
    findings = _check(pool, source, low=-CARTPOLE_HIGH, high=CARTPOLE_HIGH)
    assert findings[0] == "sample 0: next_state[0] = 5 is above the observation space's bound 4.8"


def test_discrete_and_tuple_findings(pool):
    states = np.array([[3], [4]], dtype=np.int64)
    actions = np.array([[0], [1]], dtype=np.int64)
    source = "class Environment:\n    def set_state(self, s):\n        self.s = s\n    def step(self, a):\n"
    out_of_range = CheckJob(
        source + "        return 99, -1.0, False\n", "discrete", "discrete", states, actions, n=48
    )
    as_float = CheckJob(
        source + "        return 3.0, -1.0, False\n", "discrete", "discrete", states, actions, n=48
    )
    blackjack = np.array([[14, 10, 0]], dtype=np.int64)
    as_list = CheckJob(
        source + "        return list(self.s), 1.0, True\n",
        "tuple",
        "discrete",
        blackjack,
        actions[:1],
        n=(32, 11, 2),
    )
    big = CheckJob(
        source + "        return (40, 10, 0), 1.0, True\n",
        "tuple",
        "discrete",
        blackjack,
        actions[:1],
        n=(32, 11, 2),
    )
    results = [o.value for o in pool.run_many([out_of_range, as_float, as_list, big], timeout=5.0)]
    assert results[0][0] == "sample 0: next_state = 99 is outside the observation space (0 to 47)"
    assert results[1][0] == "sample 0: next_state is a float 3.0, expected an int"
    assert results[2][0] == "sample 0: next_state is a list, expected a tuple of 3 ints"
    assert results[3] == ("sample 0: next_state[0] = 40 is outside the observation space (0 to 31)",)


def test_exceptions_and_real_env_imports_are_findings(pool):
    raising = _model("self.s, 1.0, False").replace(
        "return self.s", "raise ValueError('bad action')\n        return self.s"
    )
    findings = _check(pool, raising)
    assert len(findings) == 1 and "ValueError: bad action" in findings[0] and "line 11" in findings[0]
    findings = _check(pool, _model("self.s, 1.0, False", extra="import gymnasium"))
    assert findings == (
        "the program imports gymnasium: a world model must simulate the environment itself, not call it",
    )
