"""The LLM as the world model (the paper's Table 8 / Appendix H), for comparison with a CWM.

The LLM is given the env's description, K recorded example transitions and one
(state, action), and answers the next state, reward and done; cwmb parses the answer,
scores it with the same metric as a code world model, times the call (parsing outside the
timed section) and compares with a CWM's time per step on the same transitions. Unlike
the original experiment, every query is built fresh (the original re-sent the first one),
the shots never include a queried transition, and parsing is not timed.
"""

from cwmb.llm_as_model.prompting import format_query, parse_answer, prediction_messages
from cwmb.llm_as_model.run import DirectPredictionResult, run_llm_as_model

__all__ = [
    "DirectPredictionResult",
    "format_query",
    "parse_answer",
    "prediction_messages",
    "run_llm_as_model",
]
