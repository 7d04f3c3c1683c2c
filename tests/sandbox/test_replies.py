"""A worker's reply is decoded once and must be this job's: id and nonce, or the worker goes."""

from __future__ import annotations

import numpy as np
import pytest

from cwmb.sandbox import CallJob, wire
from cwmb.sandbox.replies import ForeignReply, describe_exit, interpret

JOB = CallJob("math:fsum", {"seq": [1.0, 2.0]})


def _reply(inner: dict, job_id: int = 7, event: str = "replied") -> dict:
    return {"event": event, "job_id": job_id, "child": wire.body_of(wire.encode(inner)), "output": ""}


def test_a_reply_with_this_job_s_id_and_nonce_gives_its_value():
    inner = {"status": "ok", "message": "", "value": np.float64(3.0), "job_id": 7, "nonce": "n"}
    outcome = interpret(JOB, _reply(inner), 7, "n")
    assert outcome.ok and outcome.value == 3.0


@pytest.mark.parametrize(("reply_id", "inner_id", "nonce"), [(8, 7, "n"), (7, 8, "n"), (7, 7, "forged")])
def test_a_reply_for_another_job_or_without_the_nonce_is_foreign(reply_id, inner_id, nonce):
    inner = {"status": "ok", "message": "", "value": 1.0, "job_id": inner_id, "nonce": nonce}
    with pytest.raises(ForeignReply):
        interpret(JOB, _reply(inner, job_id=reply_id), 7, "n")


def test_a_garbled_job_part_is_foreign_and_a_timeout_needs_no_job_part():
    garbled = {"event": "replied", "job_id": 7, "child": b"\x00garbage", "output": ""}
    with pytest.raises(ForeignReply):
        interpret(JOB, garbled, 7, "n")
    timeout = interpret(JOB, {"event": "timeout", "job_id": 7, "detail": "too slow"}, 7, "n")
    assert timeout.status == "timeout" and timeout.message == "too slow"


def test_a_dead_job_is_described_by_its_exit():
    outcome = interpret(JOB, {"event": "crashed", "job_id": 7, "exit_code": -11}, 7, "n")
    assert outcome.status == "crashed" and "SIGSEGV" in outcome.message
    assert describe_exit(3) == "exited with code 3"
