"""GIF-MCTS as the original implementation ran it: the rules behind ``fidelity: original``.

cwmb's GIF-MCTS keeps the paper's algorithm but decides some details differently from the
original code (``docs/methods.md``, "Fidelity"). A method config with ``fidelity: original``
switches each of these back:

* **line budget** (:func:`original_prefix`): every child, whatever its action, keeps the
  first ``l`` raw lines of its program as its prefix, where ``l`` is the parent's length plus
  the number of lines of ``"\\n" + parent prefix`` (blank and comment lines count, and so does
  the leading newline the original put in front of every prefix); the child is complete
  (the original's ``done``) when fewer than the parent's length of new lines remain, a strict
  ``<``. Improve and fix children therefore keep a prefix and can be continued by generate;
  a complete child gets no children at all, gives its ancestors its accuracy and keeps a
  value of 0 itself;
* **prior weights** (:func:`local_mean_after_expansion`): the gradient step runs after every
  expansion, with the local average recomputed over the parent's children of that type
  *including* the new child at value 0, and the weights are not clamped;
* **improve feedback**: one failing transition, the real outcome and the prediction, with no
  accuracy header and no marks on the differing fields
  (:func:`cwmb.scoring.render_feedback_original`);
* **ablations**: with fixes off a crash counts a visit along its path without changing any
  mean (the original's ``fixes=0``) instead of backing up a 0; with improve off a fixed
  program still keeps its generate slot (a consequence of the line budget);
* **code**: the answer of a generate call is the whole program (never appended to the
  prefix), and every extracted program is formatted with ``autopep8`` before it is scored.
"""

from __future__ import annotations

from collections.abc import Callable

from cwmb.errors import CwmbError
from cwmb.methods.gif_tree import Node, Tree

FIDELITIES = ("cwmb", "original")


def original_prefix(parent_prefix: str, parent_length: int, code: str) -> tuple[str, int, bool]:
    """The original's line budget: ``(child prefix, child length, complete)`` for ``code``.

    ``parent_length`` is the parent's node length (L at the root, then the child length this
    function returned for the parent).
    """
    ancestors = len(("\n" + parent_prefix).split("\n"))
    budget = parent_length + ancestors
    kept = code.rstrip("\n").split("\n")[:budget]
    length = len(kept) - ancestors
    return "\n".join(kept), length, length < parent_length


def local_mean_after_expansion(tree: Tree, parent: Node, action: str, child: Node) -> float:
    """The original's v_L for the weight update: the parent's type-``action`` children, new child at 0."""
    siblings = tree.children_of_type(parent, action)
    return sum(0.0 if s is child else s.value for s in siblings) / len(siblings)


def autopep8_formatter() -> Callable[[str], str]:
    """``autopep8.fix_code``, as the original applied to every program (it only reads the text)."""
    try:
        import autopep8
    except ImportError:
        raise CwmbError(
            "fidelity: original formats every program with autopep8, which is not installed",
            "pip install autopep8, or pip install -e '.[original]'",
        ) from None
    return autopep8.fix_code
