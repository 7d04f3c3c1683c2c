"""Imports run one way: the records a module shares with its neighbour sit a floor below both.

Each pair below used to import each other (one of the two lazily, inside a function). The
test reads every ``import`` statement of the lower module, function-local ones included.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

# (upper, lower): the upper module may import the lower one, never the reverse.
LAYERS = [
    ("cwmb.scoring", "cwmb.scoring_original"),
    ("cwmb.scoring_original", "cwmb.scoring_records"),
    ("cwmb.scoring", "cwmb.scoring_records"),
    ("cwmb.rtfm.scoring", "cwmb.scoring_records"),  # RTFM's record builds on the shared base
    ("cwmb.llm.offline", "cwmb.llm.simulated"),
    ("cwmb.apps.offline", "cwmb.llm.simulated"),
    ("cwmb.report.build", "cwmb.report.plots"),
    ("cwmb.report.plots", "cwmb.report.model"),
    ("cwmb.report.build", "cwmb.report.model"),
]


def imported_modules(module: str) -> set[str]:
    """Every module ``module``'s source imports, at any depth of its code (absolute imports)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(("upper", "lower"), LAYERS)
def test_lower_module_never_imports_the_upper_one(upper: str, lower: str) -> None:
    assert upper not in imported_modules(lower)


def test_public_names_stay_where_callers_import_them() -> None:
    from cwmb.report import Report as FromPackage
    from cwmb.report.build import Report as FromBuild
    from cwmb.report.model import Report
    from cwmb.scoring import ScoreResult, Tolerance
    from cwmb.scoring_records import ScoreResult as Record
    from cwmb.scoring_records import Tolerance as RecordTolerance

    assert FromPackage is FromBuild is Report
    assert ScoreResult is Record and Tolerance is RecordTolerance
