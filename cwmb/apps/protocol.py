"""Which tests the search may see: the public/hidden split, and the ``paper`` protocol that leaks.

Protocol ``clean`` (the default): each problem's tests are split deterministically into
*public* tests, the only ones the search sees (its value and its improve feedback), and
*hidden* tests, used only for scoring. By default the first half is public, as in the
original's feedback rule (``L // 2`` tests; at least one). A problem with a single test
has no hidden test: the search sees it, and the report lists such problems separately.

Protocol ``paper`` reproduces the original: the search's value is the pass rate on *all*
tests, the same tests that define strict accuracy, and feedback comes from the first
half. Numbers made this way select on the answer key; the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass

PROTOCOLS = ("clean", "paper")


@dataclass(frozen=True)
class TestSplit:
    """Test indices: ``public`` (feedback), ``hidden`` (scoring only), ``value`` (the search's value)."""

    public: tuple[int, ...]
    hidden: tuple[int, ...]
    value: tuple[int, ...]

    __test__ = False  # not a pytest test class

    @property
    def all(self) -> tuple[int, ...]:
        """Every test."""
        return tuple(sorted({*self.public, *self.hidden}))


def split_tests(count: int, protocol: str = "clean", public_fraction: float = 0.5) -> TestSplit:
    """The split of ``count`` tests: the first ``max(1, floor(count * public_fraction))`` are public."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, not {protocol!r}")
    if not 0 < public_fraction <= 1:
        raise ValueError("public_fraction must be in (0, 1]")
    if count <= 0:
        return TestSplit((), (), ())
    public_count = min(count, max(1, int(count * public_fraction)))
    public = tuple(range(public_count))
    hidden = tuple(range(public_count, count))
    value = public if protocol == "clean" else tuple(range(count))
    return TestSplit(public, hidden, value)
