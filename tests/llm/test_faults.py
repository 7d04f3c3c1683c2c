"""The AST fault injector, on a small self-written world model."""

from __future__ import annotations

import random

import pytest

from cwmb.llm.config import FAULT_KINDS, OfflineSkill
from cwmb.llm.faults import Fault, apply_faults, count_sites, sample_faults
from tests.llm.conftest import EXAMPLE_PROGRAM


def load(source: str):
    namespace: dict = {}
    exec(compile(source, "<candidate>", "exec"), namespace)
    env = namespace["Environment"]()
    return env


def run(source: str, state, action):
    env = load(source)
    env.set_state(state)
    return env.step(action)


def test_every_kind_has_sites_in_the_example():
    counts = count_sites(EXAMPLE_PROGRAM)
    assert set(counts) == set(FAULT_KINDS)
    assert all(counts[kind] > 0 for kind in FAULT_KINDS), counts


def test_no_faults_keeps_behaviour():
    clean = apply_faults(EXAMPLE_PROGRAM, [])
    for state, action in [([0.1, 0.2], 1), ([1.99, 0.5], 0), ([-3.0, 0.0], 1)]:
        assert run(clean, state, action) == run(EXAMPLE_PROGRAM, state, action)


@pytest.mark.parametrize("kind", [k for k in FAULT_KINDS if k != "syntax_error"])
def test_each_ast_fault_changes_the_program_and_still_compiles(kind):
    clean = apply_faults(EXAMPLE_PROGRAM, [])
    for site in range(count_sites(EXAMPLE_PROGRAM)[kind]):
        faulty = apply_faults(EXAMPLE_PROGRAM, [Fault(kind, site)])
        assert faulty != clean
        compile(faulty, "<candidate>", "exec")


def test_syntax_error_does_not_compile():
    faulty = apply_faults(EXAMPLE_PROGRAM, [Fault("syntax_error", 0)])
    with pytest.raises(SyntaxError):
        compile(faulty, "<candidate>", "exec")


def test_termination_fault_never_ends_the_episode():
    faulty = apply_faults(EXAMPLE_PROGRAM, [Fault("termination", 0)])
    assert run(EXAMPLE_PROGRAM, [5.0, 0.0], 1)[2] is True
    assert run(faulty, [5.0, 0.0], 1)[2] is False


def test_runtime_error_fault_raises_when_step_runs():
    for site in range(count_sites(EXAMPLE_PROGRAM)["runtime_error"]):
        faulty = apply_faults(EXAMPLE_PROGRAM, [Fault("runtime_error", site)])
        with pytest.raises((NameError, AttributeError, UnboundLocalError)):
            run(faulty, [0.1, 0.0], 1)


def test_constant_fault_changes_the_prediction_unless_the_constant_is_dead():
    probes = [([0.5, 0.2], 1), ([1.95, 1.0], 0), ([0.0, 0.0], 0)]
    clean = [run(EXAMPLE_PROGRAM, s, a) for s, a in probes]
    unchanged = []
    for site in range(count_sites(EXAMPLE_PROGRAM)["constant"]):
        faulty = apply_faults(EXAMPLE_PROGRAM, [Fault("constant", site, 1)])
        if [run(faulty, s, a) for s, a in probes] == clean:
            unchanged.append(faulty)
    # Only the initial state in __init__ is dead (set_state overwrites it), as in real programs.
    assert len(unchanged) == 2
    assert all("self.state = [0.0, 0.0]" not in program for program in unchanged)


def test_comparison_fault_flips_the_branch():
    faulty = apply_faults(EXAMPLE_PROGRAM, [Fault("comparison", 0), Fault("comparison", 1)])
    assert faulty.count("==") + faulty.count("!=") == 1
    assert run(faulty, [0.1, 0.0], 1) != run(EXAMPLE_PROGRAM, [0.1, 0.0], 1)


def test_tags_round_trip_and_rebuild_the_same_program():
    faults = [Fault("constant", 2, 3), Fault("drop_term", 1), Fault("syntax_error", 1)]
    rebuilt = [Fault.from_tag(f.tag) for f in faults]
    assert rebuilt == faults
    assert apply_faults(EXAMPLE_PROGRAM, rebuilt) == apply_faults(EXAMPLE_PROGRAM, faults)
    with pytest.raises(ValueError):
        Fault.from_tag("gremlin:1:0")


def test_sampling_is_deterministic_and_avoids_taken_sites():
    weights = OfflineSkill().fault_weights
    first = sample_faults(EXAMPLE_PROGRAM, random.Random(7), weights, 4)
    again = sample_faults(EXAMPLE_PROGRAM, random.Random(7), weights, 4)
    assert first == again and len(first) == 4
    assert len({(f.kind, f.site) for f in first}) == 4
    more = sample_faults(EXAMPLE_PROGRAM, random.Random(8), weights, 3, existing=first)
    assert not {(f.kind, f.site) for f in more} & {(f.kind, f.site) for f in first}


def test_sampling_only_uses_kinds_with_weight_and_sites():
    only = sample_faults(EXAMPLE_PROGRAM, random.Random(0), {"termination": 1.0}, 5)
    assert only == [Fault("termination", 0)]  # one site only: the rest is skipped
