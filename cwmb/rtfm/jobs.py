"""The RTFM predict job: the sandbox job that runs an RTFM world model over a dataset.

Like :class:`cwmb.sandbox.PredictJob` it carries only inputs (state rows of vocabulary
codes and actions), never the expected outputs, and ``parse`` accepts nothing but arrays
of exactly the expected dtypes and shapes. The worker side is
:func:`cwmb.rtfm.sandbox_task.predict_rtfm`, registered in :mod:`cwmb.sandbox.tasks` under
the kind ``rtfm_predict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cwmb.rtfm import rules
from cwmb.rtfm.predictions import RtfmPredictions
from cwmb.sandbox.jobs import check_row_ids, reply_array, row_ids_of
from cwmb.sandbox.row_problems import problems_from_wire

KIND = "rtfm_predict"


@dataclass(frozen=True, eq=False)
class RtfmPredictJob:
    """Predict every row of ``states`` (N, 73) int64 codes and ``actions`` (N, 1) int64."""

    source: str
    states: np.ndarray
    actions: np.ndarray
    row_ids: np.ndarray | None = None  # the rows' dataset indices, for messages (a batch's rows)

    def __post_init__(self) -> None:
        for name, arr in (("states", self.states), ("actions", self.actions)):
            if not isinstance(arr, np.ndarray) or arr.ndim != 2 or arr.dtype.kind not in "iu":
                raise ValueError(f"{name} must be a 2-d integer array")
        if self.states.shape[1] != rules.STATE_WIDTH or self.actions.shape[1] != 1:
            raise ValueError(f"RTFM rows are {rules.STATE_WIDTH} state codes and 1 action")
        if self.states.shape[0] != self.actions.shape[0]:
            raise ValueError(f"{self.states.shape[0]} states but {self.actions.shape[0]} actions")
        check_row_ids(self.row_ids, self.states.shape[0])

    def request(self) -> dict[str, Any]:
        """The job as plain data for the worker."""
        return {
            "kind": KIND,
            "source": self.source,
            "states": self.states.astype(np.int64),
            "actions": self.actions.astype(np.int64),
            "row_ids": row_ids_of(self.row_ids, self.states.shape[0]),
        }

    def parse(self, value: Any) -> RtfmPredictions:
        """Build RtfmPredictions from the worker's arrays, checking every dtype and shape."""
        if not isinstance(value, dict):
            raise ValueError("rtfm predict reply is not a mapping")
        n = self.states.shape[0]
        next_states = reply_array(value, "next_states", np.int64, (n, rules.STATE_WIDTH))
        if ((next_states < -1) | (next_states >= len(rules.VOCABULARY))).any():
            raise ValueError("reply field 'next_states' holds codes outside the vocabulary")
        return RtfmPredictions(
            next_states=next_states,
            valid_actions=reply_array(value, "valid_actions", np.bool_, (n, rules.N_ACTIONS)),
            rewards=reply_array(value, "rewards", np.float64, (n,)),
            dones=reply_array(value, "dones", np.bool_, (n,)),
            valid=reply_array(value, "valid", np.bool_, (n,)),
            problems=problems_from_wire(value, n),
            mutated=reply_array(value, "mutated", np.bool_, (n,)),
        )
