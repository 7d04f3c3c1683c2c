"""The program text of a fitted world model (:mod:`cwmb.llm.fitting`), as the simulated coder writes it.

The program is numpy-only and self-contained: the coefficients are embedded in its text as
whitespace-separated numbers inside string constants, one row per line, and parsed when the
class is built. Keeping them in strings, not in number literals, means the fault injector's
``constant`` faults hit the program's structure (the intercept feature, the healthy ranges,
the dimension counts) rather than one coefficient among thousands, which would change nothing
a score can see.
"""

from __future__ import annotations

import numpy as np

from cwmb.llm.fitting import LinearFit

_DIGITS = 12  # significant digits of embedded coefficients: far below the fit's own error


def _number(value: float) -> str:
    """A float literal (``1.0``, never ``1``: an int reward would change its type)."""
    if np.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    return repr(float(f"{value:.{_DIGITS}g}"))


def _rows(matrix: np.ndarray) -> str:
    """A matrix as text: one line per row, numbers separated by spaces."""
    return "\n".join(" ".join(_number(v) for v in row) for row in np.atleast_2d(matrix))


def _term_expression(term: tuple[str, int, int, int | None]) -> str:
    source, start, stop, minus = term
    rows = "state" if source == "state" else "next_state"
    vector = f"{rows}[{start}:{stop}]"
    if minus is not None:
        vector += f" - {rows}[{minus}:{minus + stop - start}]"
    return f"np.linalg.norm({vector})"


def _reward_lines(fit: LinearFit) -> list[str]:
    if fit.reward_constant is not None:
        return [f"        reward = {_number(fit.reward_constant)}"]
    terms = ", ".join(_term_expression(t) for t in fit.reward_terms)
    return [
        "        features = np.concatenate(",
        f"            [state[:MODELLED], action, action * action, [1.0], [{terms}]]",
        "        )",
        "        reward = float(self.reward_weights @ features)",
    ]


def _header(fit: LinearFit) -> list[str]:
    weights = _rows(fit.state_weights)
    rewards = _rows(fit.reward_weights.reshape(1, -1))
    return [
        "import numpy as np",
        "",
        f"STATE_DIM = {fit.state_dim}",
        f"ACTION_DIM = {fit.action_dim}",
        f"MODELLED = {fit.modelled}",
        f"NEXT_STATE_WEIGHTS = '''{weights}'''",
        f"REWARD_WEIGHTS = '''{rewards}'''",
        f"DONE_DIMS = {tuple(fit.done_dims)!r}",
        f"DONE_LOW = ({''.join(_number(v) + ', ' for v in fit.done_low)})",
        f"DONE_HIGH = ({''.join(_number(v) + ', ' for v in fit.done_high)})",
        "",
        "",
        "def parse_rows(text, rows):",
        '    """Coefficients written as text, one row per line, as a (rows, n) array."""',
        "    return np.array(text.split(), dtype=float).reshape(rows, -1)",
        "",
    ]


def _environment(fit: LinearFit) -> list[str]:
    return [
        "",
        "class Environment:",
        f'    """{fit.env}: linear dynamics fitted by least squares to the dataset (simulated coder)."""',
        "",
        "    def __init__(self):",
        "        self.state = np.zeros(STATE_DIM)",
        "        self.weights = parse_rows(NEXT_STATE_WEIGHTS, MODELLED)",
        "        self.reward_weights = parse_rows(REWARD_WEIGHTS, 1)[0]",
        "",
        "    def set_state(self, state):",
        "        self.state = np.array(state, dtype=float).reshape(STATE_DIM)",
        "",
        "    def step(self, action):",
        "        action = np.asarray(action, dtype=float).reshape(ACTION_DIM)",
        "        state = self.state",
        "        inputs = np.concatenate([state[:MODELLED], action, [1.0]])",
        "        next_state = state.copy()",
        "        next_state[:MODELLED] = state[:MODELLED] + self.weights @ inputs",
        *_reward_lines(fit),
        "        done = False",
        "        for dim, low, high in zip(DONE_DIMS, DONE_LOW, DONE_HIGH):",
        "            if next_state[dim] < low or next_state[dim] > high:",
        "                done = True",
        "        self.state = next_state",
        "        return next_state, reward, done",
    ]


def render_fitted_program(fit: LinearFit) -> str:
    """The fault-free program of ``fit``: a module docstring, the coefficients, ``Environment``."""
    docstring = (
        f'"""Fitted world model of {fit.env}, written by the cwmb simulated coder (offline, not an LLM).\n\n'
        "Next state and reward are least-squares fits to the env's dataset; done is a fitted\n"
        'healthy-range rule. Accuracy is well below a physics model\'s, by design."""\n\n'
    )
    return docstring + "\n".join(_header(fit) + _environment(fit)) + "\n"
