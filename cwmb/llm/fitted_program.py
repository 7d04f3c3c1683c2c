"""The program text of a fitted world model (:mod:`cwmb.llm.fitting`), as the simulated coder writes it.

The program is numpy-only and self-contained: the coefficients are embedded in its text as
whitespace-separated numbers inside string constants, one row per line, and parsed when the
class is built. Keeping them in strings, not in number literals, means the fault injector's
``constant`` faults hit the program's structure (the intercept feature, the healthy-range
bounds, a constant reward) rather than one coefficient among thousands, which would change
nothing a score can see. Dimension indices are in a string too, and sizes are read from the
data, never written as literals: a shifted index or size would be an indexing bug that
crashes the program, which the fault kinds leave to ``runtime_error`` (the fault injector
spares subscript indices for the same reason).
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
        f"            [state[:modelled], action, action * action, [1.0], [{terms}]]",
        "        )",
        "        reward = float(self.reward_weights @ features)",
    ]


def _header(fit: LinearFit) -> list[str]:
    bounds = [(_number(low), _number(high)) for low, high in zip(fit.done_low, fit.done_high, strict=True)]
    return [
        "import numpy as np",
        "",
        f"NEXT_STATE_WEIGHTS = '''{_rows(fit.state_weights)}'''",
        f"REWARD_WEIGHTS = '''{_rows(fit.reward_weights.reshape(1, -1))}'''",
        f"DONE_DIMS = {' '.join(str(d) for d in fit.done_dims)!r}",
        f"DONE_LOW = ({''.join(low + ', ' for low, _ in bounds)})",
        f"DONE_HIGH = ({''.join(high + ', ' for _, high in bounds)})",
        "",
        "",
        "def parse_rows(text):",
        '    """Coefficients written as text, one row per line, as a 2-d array."""',
        "    return np.array([line.split() for line in text.splitlines()], dtype=float)",
        "",
    ]


def _environment(fit: LinearFit) -> list[str]:
    return [
        "",
        "class Environment:",
        f'    """{fit.env}: linear dynamics fitted by least squares to the dataset (simulated coder)."""',
        "",
        "    def __init__(self):",
        "        self.weights = parse_rows(NEXT_STATE_WEIGHTS)",
        "        self.modelled = self.weights.shape[0]",
        "        self.reward_weights = parse_rows(REWARD_WEIGHTS)[0]",
        "        self.done_dims = [int(dim) for dim in DONE_DIMS.split()]",
        "        self.state = None",
        "",
        "    def set_state(self, state):",
        "        self.state = np.array(state, dtype=float).ravel()",
        "",
        "    def step(self, action):",
        "        action = np.asarray(action, dtype=float).ravel()",
        "        state, modelled = self.state, self.modelled",
        "        inputs = np.concatenate([state[:modelled], action, [1.0]])",
        "        next_state = state.copy()",
        "        next_state[:modelled] = state[:modelled] + self.weights @ inputs",
        *_reward_lines(fit),
        "        done = False",
        "        for dim, low, high in zip(self.done_dims, DONE_LOW, DONE_HIGH):",
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
