"""The offline simulated coder and the scripted model, through the same client as real models."""

from __future__ import annotations

import dataclasses
import re

import pytest

from cwmb.errors import CwmbError
from cwmb.llm import (
    CallLog,
    LLMClient,
    LLMRequest,
    OfflineSkill,
    ResponseCache,
    ScriptedLLM,
    ScriptExhausted,
    SimulatedCoder,
    make_llm,
    read_call_log,
)
from cwmb.llm.config import FAULT_KINDS, offline_config
from cwmb.llm.faults import apply_faults
from cwmb.llm.offline import BANNER, read_fault_tags
from tests.llm.conftest import EXAMPLE_PROGRAM

CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def ask(coder, action="generate", sample_index=0, program=None, env="Toy-v0"):
    request = LLMRequest.chat(
        [{"role": "user", "content": f"{action} a world model"}],
        action=action,
        sample_index=sample_index,
        env_name=env,
        program=program,
    )
    return coder.generate(request).text


def code_of(text: str) -> str:
    match = CODE_BLOCK.search(text)
    assert match, text
    return match.group(1)


def skill(**changes) -> OfflineSkill:
    return dataclasses.replace(OfflineSkill(), **changes)


def test_generate_writes_a_labelled_faulty_reference(example_reference):
    coder = SimulatedCoder(skill(generate_faults=(2, 2)), reference_source=example_reference)
    program = code_of(ask(coder))
    assert program.startswith(BANNER)
    assert "NOT by an LLM" in program.splitlines()[0]
    env, faults = read_fault_tags(program)
    assert env == "Toy-v0" and len(faults) == 2
    assert program.endswith(apply_faults(EXAMPLE_PROGRAM, faults, keep_module_docstring=False))
    assert "toy world model" not in program  # the reference's module docstring is dropped


def test_answers_are_deterministic_per_seed_and_differ_per_sample(example_reference):
    coder = SimulatedCoder(skill(generate_faults=(3, 3)), reference_source=example_reference)
    same = SimulatedCoder(skill(generate_faults=(3, 3)), reference_source=example_reference)
    other_seed = SimulatedCoder(skill(generate_faults=(3, 3), seed=1), reference_source=example_reference)
    samples = [ask(coder, sample_index=i) for i in range(4)]
    assert samples == [ask(same, sample_index=i) for i in range(4)]
    assert len(set(samples)) > 1
    assert [ask(other_seed, sample_index=i) for i in range(4)] != samples


def test_improve_with_certain_repair_removes_every_fault(example_reference):
    sure = {k: 1.0 for k in FAULT_KINDS}
    coder = SimulatedCoder(
        skill(generate_faults=(4, 4), improve_remove=sure, p_new_fault=0.0),
        reference_source=example_reference,
    )
    buggy = code_of(ask(coder))
    fixed = code_of(ask(coder, action="improve", program=buggy))
    assert read_fault_tags(fixed)[1] == []
    assert fixed.endswith(apply_faults(EXAMPLE_PROGRAM, [], keep_module_docstring=False))


def test_improve_without_skill_keeps_every_fault(example_reference):
    never = {k: 0.0 for k in FAULT_KINDS}
    coder = SimulatedCoder(
        skill(generate_faults=(3, 3), improve_remove=never, p_new_fault=0.0),
        reference_source=example_reference,
    )
    buggy = code_of(ask(coder))
    again = code_of(ask(coder, action="improve", program=buggy))
    assert read_fault_tags(again)[1] == read_fault_tags(buggy)[1]


def test_fix_repairs_crashes_and_rarely_anything_else(example_reference):
    coder = SimulatedCoder(
        skill(
            generate_faults=(0, 0),
            fix_remove={k: (1.0 if k in ("runtime_error", "syntax_error") else 0.0) for k in FAULT_KINDS},
            p_new_fault=0.0,
        ),
        reference_source=example_reference,
    )
    from cwmb.llm.faults import Fault
    from cwmb.llm.offline import render_program

    crashing = render_program(
        "Toy-v0", [Fault("syntax_error", 0), Fault("runtime_error", 1), Fault("constant", 0)], EXAMPLE_PROGRAM
    )
    fixed = code_of(ask(coder, action="fix", program=crashing))
    assert read_fault_tags(fixed)[1] == [Fault("constant", 0)]


def test_repair_rate_matches_the_configured_probability(example_reference):
    coder = SimulatedCoder(
        skill(generate_faults=(4, 4), improve_remove={k: 0.5 for k in FAULT_KINDS}, p_new_fault=0.0),
        reference_source=example_reference,
    )
    kept = total = 0
    for i in range(60):
        buggy = code_of(ask(coder, sample_index=i))
        before = read_fault_tags(buggy)[1]
        after = read_fault_tags(code_of(ask(coder, action="improve", program=buggy)))[1]
        total += len(before)
        kept += len(after)
    assert 0.35 < kept / total < 0.65


def test_a_foreign_program_gets_a_fresh_answer(example_reference):
    coder = SimulatedCoder(skill(generate_faults=(1, 1)), reference_source=example_reference)
    text = ask(coder, action="improve", program="class Environment:\n    pass\n")
    assert len(read_fault_tags(code_of(text))[1]) == 1


def test_unknown_env_is_a_clean_error(example_reference):
    coder = SimulatedCoder(reference_source=example_reference)
    with pytest.raises(CwmbError) as problem:
        ask(coder, env="Ant-v4")
    assert "no reference world model for Ant-v4" in problem.value.message


def test_no_env_gives_a_labelled_notice(example_reference):
    text = ask(SimulatedCoder(reference_source=example_reference), env=None)
    assert "simulated coder" in text and "not an LLM" in text


def test_offline_goes_through_cache_and_call_log(tmp_path, example_reference):
    log = tmp_path / "run" / "llm_calls.jsonl"
    llm = make_llm(offline_config(), call_log=log, reference_source=example_reference)
    request = LLMRequest.chat([{"role": "user", "content": "go"}], action="generate", env_name="Toy-v0")
    first, second = llm.complete(request), llm.complete(request)
    assert first.text == second.text and not first.cache_hit and second.cache_hit
    assert first.simulated and llm.backend_calls == 1
    records = read_call_log(log)
    assert [r["cache_hit"] for r in records] == [False, True]
    assert all(r["simulated"] and r["model"] == "offline/simulated-coder" for r in records)
    assert records[0]["cost_usd"] == 0.0 and records[0]["env"] == "Toy-v0"


def test_scripted_replays_in_order_then_raises(tmp_path):
    backend = ScriptedLLM(["one", "two"])
    llm = LLMClient(
        backend, cache=ResponseCache(tmp_path / "c.sqlite3"), call_log=CallLog(tmp_path / "log.jsonl")
    )
    texts = [
        llm.complete(LLMRequest.chat([{"role": "user", "content": "q"}], sample_index=i)).text
        for i in range(2)
    ]
    assert texts == ["one", "two"]
    # A repeat is a cache hit and does not consume the script.
    assert llm.complete(LLMRequest.chat([{"role": "user", "content": "q"}], sample_index=1)).cache_hit
    with pytest.raises(ScriptExhausted, match="all 2 were used"):
        llm.complete(LLMRequest.chat([{"role": "user", "content": "q"}], sample_index=2))
    records = read_call_log(tmp_path / "log.jsonl")
    assert records[-1]["error"].startswith("the scripted model has no completion left")


def test_reference_models_of_the_benchmark_work_with_the_coder():
    reference = pytest.importorskip("cwmb.benchmark.reference")
    coder = SimulatedCoder(skill(generate_faults=(2, 3)))
    for env in reference.REFERENCE_ENVS:
        program = code_of(ask(coder, env=env))
        _, faults = read_fault_tags(program)
        assert faults, env
        clean = apply_faults(reference.reference_source(env), [])
        namespace: dict = {}
        exec(compile(clean, env, "exec"), namespace)  # the fault-free rebuild still loads
        assert "Environment" in namespace
        if not any(f.kind == "syntax_error" for f in faults):
            compile(program, env, "exec")
    # The MuJoCo envs have no such reference: tests/llm/test_offline_continuous.py covers them.
