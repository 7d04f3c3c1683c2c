"""Feedback on an RTFM model's mistakes, in the words of the world-model contract."""

from __future__ import annotations

import numpy as np

from cwmb.rtfm import rules
from cwmb.rtfm.predictions import RtfmPredictions
from cwmb.rtfm.scoring import RtfmScoreResult, true_valid_actions
from cwmb.trajectories.dataset import Dataset

MUTATION_NOTE = (
    "Note: step changed the board passed to set_state in place on {count} transition(s). The harness "
    "gives every call a fresh copy, so this costs nothing here, but a planner that keeps states would "
    "see them change: copy the board (board.copy()) before editing it."
)


def board_lines(row: np.ndarray) -> list[str]:
    """A state row as the model sees it: rows of the first channel, the second if not empty."""
    board, inventory = rules.decode_state(row)
    words = rules.words_of(board)
    lines = [f"  row {r}: " + " | ".join(words[r, :, 0]) for r in range(rules.SIZE)]
    second = [
        f"{idx}: {words[idx]!r}" for idx in zip(*np.nonzero(board[:, :, 1] != rules.EMPTY), strict=True)
    ]
    channel = "second channel: 'empty' everywhere" if not second else "second channel: " + ", ".join(second)
    return [*lines, f"  {channel}", f"  inventory: {rules.VOCABULARY[inventory]!r}"]


def _mark(ok: bool) -> str:
    return "correct" if ok else "WRONG"


def _actions(mask: np.ndarray) -> str:
    return str([int(a) for a in np.flatnonzero(mask)])


def _board_differences(truth: np.ndarray, predicted: np.ndarray) -> list[str]:
    true_board, _ = rules.decode_state(truth)
    got_board, _ = rules.decode_state(predicted)
    cells = np.argwhere(true_board != got_board)
    return [
        f"  cell {tuple(int(v) for v in cell)}: expected {rules.VOCABULARY[true_board[tuple(cell)]]!r}, "
        f"predicted {rules.VOCABULARY[got_board[tuple(cell)]]!r}"
        for cell in cells
    ]


def _outputs(dataset: Dataset, predictions: RtfmPredictions, result: RtfmScoreResult, i: int) -> list[str]:
    truth, got = dataset.next_states[i], predictions.next_states[i]
    judged = bool(result.judged[i])
    lines = [f"Next board ({_mark(result.board_ok[i]) if judged else 'not scored at the end of an episode'})"]
    if judged and not result.board_ok[i]:
        lines += _board_differences(truth, got)
    true_inv, got_inv = (rules.VOCABULARY[int(v[rules.BOARD_CELLS])] for v in (truth, got))
    if judged:
        lines.append(
            f"Next inventory ({_mark(result.inventory_ok[i])}): expected {true_inv!r}, predicted {got_inv!r}"
        )
        rule = "the exact set" if result.valid_actions_rule == "exact" else "a non-empty subset"
        lines.append(
            f"Valid actions ({_mark(result.actions_ok[i])}, must be {rule}): expected "
            f"{_actions(true_valid_actions(dataset)[i])}, predicted {_actions(predictions.valid_actions[i])}"
        )
    lines.append(
        f"Reward ({_mark(result.reward_ok[i])}): expected {float(dataset.rewards[i]):.1f}, "
        f"predicted {float(predictions.rewards[i]):g}"
    )
    lines.append(
        f"Done ({_mark(result.done_ok[i])}): expected {bool(dataset.terminated[i])}, "
        f"predicted {bool(predictions.dones[i])}"
    )
    return lines


def render_transition(dataset: Dataset, predictions: RtfmPredictions, result: RtfmScoreResult, i: int) -> str:
    """The feedback block of transition ``i``."""
    action = int(dataset.actions[i][0])
    lines = [
        f"Transition {i} (trajectory {int(dataset.trajectory[i])}, step {int(dataset.step[i])})",
        "Input state (board[row, column, channel]):",
        *board_lines(dataset.states[i]),
        f"Action: {action} ({rules.ACTION_NAMES[action]})",
    ]
    if not predictions.valid[i]:
        problem = predictions.problems[i] or "no usable output"
        return "\n".join([*lines, f"The step function gave no valid prediction: {problem}"])
    return "\n".join(lines + _outputs(dataset, predictions, result, i))


def render_rtfm_feedback(
    dataset: Dataset, predictions: RtfmPredictions, result: RtfmScoreResult, max_transitions: int = 3
) -> str:
    """Describe the first ``max_transitions`` failing transitions; empty when perfect and tidy."""
    mutated = int(predictions.mutated.sum())
    note = [MUTATION_NOTE.format(count=mutated)] if mutated else []
    if result.perfect:
        return "\n\n".join(note)
    shown = result.failing[:max_transitions]
    header = (
        f"The model is wrong on {len(result.failing)} of {result.n} transitions "
        f"(accuracy {result.accuracy:.4f}); the first {len(shown)}:"
    )
    blocks = [render_transition(dataset, predictions, result, i) for i in shown]
    return "\n\n".join([header, *blocks, *note])
