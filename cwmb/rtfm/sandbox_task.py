"""The trusted sandbox task behind :class:`cwmb.rtfm.jobs.RtfmPredictJob` (runs in the worker).

For each row it decodes the state into the contract's form, a (6, 6, 2) object array of
strings and an inventory string, calls ``set_state((board, inventory))`` then
``step(action)``, and converts the answer back to codes (:mod:`cwmb.rtfm.convert`). A
malformed answer makes that row invalid with a one-line reason; an exception from the
program propagates to :func:`cwmb.sandbox.tasks.run_task`, which names the line.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cwmb.rtfm import rules
from cwmb.rtfm.convert import AnswerError, convert_answer
from cwmb.sandbox.row_problems import problems_to_wire


def _empty_reply(n: int) -> dict[str, Any]:
    return {
        "next_states": np.full((n, rules.STATE_WIDTH), -1, dtype=np.int64),
        "valid_actions": np.zeros((n, rules.N_ACTIONS), dtype=bool),
        "rewards": np.full(n, np.nan),
        "dones": np.zeros(n, dtype=bool),
        "valid": np.zeros(n, dtype=bool),
        "mutated": np.zeros(n, dtype=bool),
    }


def predict_rtfm(request: dict[str, Any], phase: Any) -> dict[str, Any]:
    """Run ``set_state`` + ``step`` on every (state, action) row; return code arrays."""
    from cwmb.sandbox.program import CLASS_NAME, load_environment_class

    env_class = load_environment_class(request["source"], phase)
    states, actions = request["states"], request["actions"]
    reply, problems = _empty_reply(states.shape[0]), [""] * states.shape[0]
    phase.now = f"calling {CLASS_NAME}()"
    env = env_class()
    # All boards as words at once; each call still gets its own fresh array.
    words = np.array(rules.VOCABULARY, dtype=object)[states[:, : rules.BOARD_CELLS]]
    given = words.tolist()
    inventories = [rules.VOCABULARY[int(code)] for code in states[:, rules.BOARD_CELLS]]
    ids = request.get("row_ids")
    row_ids = ids.tolist() if ids is not None else list(range(states.shape[0]))
    for i in range(states.shape[0]):
        board = words[i].reshape(rules.BOARD_SHAPE)  # row i of the decoded copy, used by this call only
        phase.now = f"calling set_state((board, inventory)) on transition {row_ids[i]}"
        env.set_state((board, inventories[i]))
        phase.now = f"calling step(action) on transition {row_ids[i]}"
        answer = env.step(int(actions[i][0]))
        # By value: the model may have edited the array (or replaced its cells) in place.
        reply["mutated"][i] = board.shape != rules.BOARD_SHAPE or board.reshape(-1).tolist() != given[i]
        try:
            row, mask, reward, done = convert_answer(answer)
        except AnswerError as problem:
            problems[i] = str(problem)
            continue
        reply["next_states"][i], reply["valid_actions"][i] = row, mask
        reply["rewards"][i], reply["dones"][i], reply["valid"][i] = reward, done, True
    return {**reply, **problems_to_wire(problems)}
