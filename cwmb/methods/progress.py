"""Progress of a synthesis run for people: a live line on a terminal, plain log lines otherwise.

Both are :class:`~cwmb.methods.session.SearchObserver` objects. They show calls used
against the budget, the best accuracy so far, the cost of the answers used (known
prices only), and the action in progress. Everything goes to stderr; stdout is kept for
results.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from cwmb.methods.evaluation import Evaluation
from cwmb.methods.records import StepRecord
from cwmb.methods.rundir import CANDIDATES_DIR
from cwmb.oneline import cut_at_word

_VERBS = {"generate": "generating", "improve": "improving", "fix": "fixing"}


def describe_step(
    step: StepRecord, error_chars: int = 80, name_the_file: bool = True, candidates: str = CANDIDATES_DIR
) -> str:
    """One line for a finished call: action, node, outcome.

    An error is cut at a word to ``error_chars`` characters; when it is cut, the line
    names the candidate's evaluation file in the folder ``candidates``, which holds the
    full text (unless ``name_the_file`` is false, for the narrow live display).
    """
    source = {None: "scratch", 0: "root"}.get(step.parent, f"node {step.parent}")
    outcome = f"accuracy {step.accuracy:.4f}" + (" (perfect)" if step.perfect else "")
    if step.error is not None:
        shown = cut_at_word(step.error, error_chars)
        was_cut = shown != step.error.strip()
        where = f" (full text in {candidates}/{step.program_hash}.json)" if was_cut and name_the_file else ""
        outcome = f"{step.status}: {shown}{where}"
    return f"{step.action} from {source} -> node {step.node}: {outcome}"


class _Tally:
    """Calls, best accuracy and known cost so far, shared by both displays."""

    def __init__(self) -> None:
        self.best = 0.0
        self.cost = 0.0

    def add(self, step: StepRecord) -> None:
        """Count one finished call."""
        self.best = step.best_accuracy
        cost = step.llm.get("cost_usd")
        if isinstance(cost, int | float):
            self.cost += cost


class PlainProgress:
    """One log line per call, for logs and pipes (no terminal control codes)."""

    def __init__(
        self, env: str, budget: int, stream: TextIO | None = None, env_dir: Path | None = None
    ) -> None:
        self.env = env
        self.budget = budget
        self.stream = stream or sys.stderr
        # Lines name the candidate file holding an error's full text, inside the env's run folder.
        self.candidates = str(Path(env_dir) / CANDIDATES_DIR) if env_dir is not None else CANDIDATES_DIR
        self._tally = _Tally()

    def before_call(self, call: int, action: str, parent: int | None) -> None:
        """Plain logs print once per call, after it."""

    def after_call(self, step: StepRecord, program: str, evaluation: Evaluation) -> None:
        """Print the call's line."""
        self._tally.add(step)
        print(
            f"{self.env} call {step.call}/{self.budget}: {describe_step(step, candidates=self.candidates)}; "
            f"best {self._tally.best:.4f}; cost ${self._tally.cost:.4f}",
            file=self.stream,
            flush=True,
        )


class LiveProgress:
    """A rich progress bar per env with the current action, best accuracy and cost."""

    def __init__(self, progress: Any, env: str, budget: int) -> None:
        self.progress = progress
        self.env = env
        self.budget = budget
        self._tally = _Tally()
        self.task = progress.add_task(env, total=budget, best="-", cost="$0.0000", doing="starting")

    def before_call(self, call: int, action: str, parent: int | None) -> None:
        """Show the action in progress."""
        where = "from scratch" if parent is None else f"node {parent}"
        self.progress.update(self.task, doing=f"{_VERBS.get(action, action)} {where}")

    def after_call(self, step: StepRecord, program: str, evaluation: Evaluation) -> None:
        """Advance the bar and refresh the numbers."""
        self._tally.add(step)
        self.progress.update(
            self.task,
            completed=step.call,
            best=f"{self._tally.best:.4f}",
            cost=f"${self._tally.cost:.4f}",
            doing=cut_at_word(describe_step(step, error_chars=40, name_the_file=False), 60),
        )

    def finish(self, text: str) -> None:
        """Replace the action column with a final word (done, stopped...)."""
        self.progress.update(self.task, doing=text)


def live_progress(console: Any) -> Any:
    """A rich ``Progress`` with the synthesis columns, drawing on ``console`` (use as a context manager)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TextColumn("calls  best {task.fields[best]}  {task.fields[cost]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[doing]}"),
    )
    return Progress(*columns, console=console)
