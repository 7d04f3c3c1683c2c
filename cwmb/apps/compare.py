"""Is a program's output right? The APPS harness's leniency, written down rule by rule, and a strict mode.

Standard-input problems (the program printed ``output``; the test expects ``expected``).
The output passes when the first rule of the mode that holds is found; rules in order:

1. ``exact``: the texts are equal.
2. ``stripped``: equal after removing leading and trailing whitespace of the whole text.
3. ``lines``: equal line by line after stripping each line and dropping empty lines
   (``\\r\\n`` and ``\\n`` are both line ends).
4. ``tokens``: equal line by line as whitespace-separated tokens (so ``1  2`` is ``1 2``).
5. ``numbers``: same lines and tokens, every token pair equal as text or both numbers
   with ``|a - b| <= 1e-8 + 1e-5 * |b|`` (the tolerance of ``numpy.allclose``, which the
   APPS harness uses).
6. ``unordered``: equal as a *set* of lines, each a *set* of tokens: order of lines,
   order of tokens and repeats are ignored. The APPS harness accepts this (it compares
   ``set(frozenset(line.split()))``); it can pass a wrong answer, so it is only in mode
   ``apps``.
7. ``unordered_rounded``: as 6 with numeric tokens rounded to 3 decimals (also the harness's).

Modes: ``apps`` (rules 1-7, the default, to compare with published numbers),
``ordered`` (rules 1-5: lenient about whitespace and float formatting, never about
order), ``strict`` (rule 1 only: exact text).

Call-based problems (the function returned ``value``, sent back as JSON so tuples are
lists): ``equal`` (value == expected) or ``unwrapped`` (the dataset stores each expected
value wrapped in a one-element list, as APPS does: value == expected[0]). Both hold in
every mode, since the wrapping is the dataset's format, not leniency.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

MODES = ("apps", "ordered", "strict")
_RTOL, _ATOL = 1e-5, 1e-8


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _tokens(text: str) -> list[list[str]]:
    return [line.split() for line in _lines(text)]


def _number(token: str) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value if value == value else None  # NaN is never close to anything


def _close(a: str, b: str) -> bool:
    if a == b:
        return True
    x, y = _number(a), _number(b)
    return x is not None and y is not None and abs(x - y) <= _ATOL + _RTOL * abs(y)


def _numbers(output: str, expected: str) -> bool:
    got, want = _tokens(output), _tokens(expected)
    if len(got) != len(want) or any(len(g) != len(w) for g, w in zip(got, want, strict=True)):
        return False
    return all(_close(a, b) for g, w in zip(got, want, strict=True) for a, b in zip(g, w, strict=True))


def _as_set(text: str, rounded: bool) -> frozenset[frozenset[Any]]:
    def key(token: str) -> Any:
        number = _number(token) if rounded else None
        return token if number is None else round(number, 3)

    return frozenset(frozenset(key(t) for t in line) for line in _tokens(text))


RULES: dict[str, Callable[[str, str], bool]] = {
    "exact": lambda out, exp: out == exp,
    "stripped": lambda out, exp: out.strip() == exp.strip(),
    "lines": lambda out, exp: _lines(out) == _lines(exp),
    "tokens": lambda out, exp: _tokens(out) == _tokens(exp),
    "numbers": _numbers,
    "unordered": lambda out, exp: _as_set(out, False) == _as_set(exp, False),
    "unordered_rounded": lambda out, exp: _as_set(out, True) == _as_set(exp, True),
}
MODE_RULES = {
    "apps": tuple(RULES),
    "ordered": ("exact", "stripped", "lines", "tokens", "numbers"),
    "strict": ("exact",),
}


def expected_text(expected: Any) -> str:
    """The expected stdout as text (a few APPS records store it as a list of lines)."""
    if isinstance(expected, list):
        return "\n".join(str(line) for line in expected)
    return str(expected)


def matching_rule(output: str, expected: Any, *, call_based: bool, mode: str = "apps") -> str | None:
    """The name of the first rule under which ``output`` passes, or None when it is a wrong answer."""
    if mode not in MODES:
        raise ValueError(f"comparison mode must be one of {MODES}, not {mode!r}")
    if call_based:
        return _call_rule(output, expected)
    want = expected_text(expected)
    return next((name for name in MODE_RULES[mode] if RULES[name](output, want)), None)


def _call_rule(output: str, expected: Any) -> str | None:
    try:
        value = json.loads(output)
    except json.JSONDecodeError:
        return None
    if value == expected:
        return "equal"
    if isinstance(expected, list) and len(expected) == 1 and value == expected[0]:
        return "unwrapped"
    return None
