"""Progress lines: errors cut at a word, with the file that holds the full text."""

from __future__ import annotations

import io

from cwmb.methods.progress import PlainProgress, describe_step
from cwmb.methods.records import StepRecord

ERROR = (
    "TypeError: Environment.step() missing 1 required positional argument: 'action' "
    "(raised in the generated program, line 42, while replaying transition 3 of trajectory 0)"
)


def step(error: str | None) -> StepRecord:
    return StepRecord(
        call=2,
        node=2,
        parent=1,
        action="fix",
        accuracy=0.0,
        perfect=False,
        status="error" if error else "ok",
        error=error,
        program_hash="abc123",
        best_node=1,
        best_accuracy=0.5,
    )


def test_a_long_error_is_cut_at_a_word_and_names_the_candidate_file():
    line = describe_step(step(ERROR))
    shown = line.split("error: ", 1)[1]
    assert shown.startswith("TypeError: Environment.step() missing 1 required positional")
    assert "(full text in candidates/abc123.json)" in line
    cut = shown.split(" (full text")[0]
    kept = cut.removesuffix("...")
    assert cut.endswith("...") and ERROR.startswith(kept) and not ERROR[len(kept)].isalnum()


def test_a_short_error_is_shown_whole_without_a_pointer():
    line = describe_step(step("NameError: name 'x' is not defined"))
    assert line.endswith("error: NameError: name 'x' is not defined")


def test_plain_progress_prints_the_cut_line():
    stream = io.StringIO()
    PlainProgress("CartPole-v1", 10, stream).after_call(step(ERROR), "", None)  # type: ignore[arg-type]
    printed = stream.getvalue()
    assert printed.startswith("CartPole-v1 call 2/10: fix from node 1 -> node 2: error: TypeError")
    assert "candidates/abc123.json" in printed and "missing 1 re\n" not in printed


def test_plain_progress_names_the_file_inside_the_env_run_folder(tmp_path):
    stream = io.StringIO()
    PlainProgress("CartPole-v1", 10, stream, env_dir=tmp_path / "run" / "CartPole-v1").after_call(
        step(ERROR),
        "",
        None,  # type: ignore[arg-type]
    )
    assert f"(full text in {tmp_path}/run/CartPole-v1/candidates/abc123.json)" in stream.getvalue()
