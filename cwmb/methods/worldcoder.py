"""WorldCoder (Tang, Key and Ellis, 2024) as the GIF-MCTS paper re-implemented it for its comparison.

One generate call writes a seed program; every later call Thompson-samples a program
from the pool with the REx belief Beta(1 + C a, 1 + C (1 - a)), C = 5, a its accuracy,
and refines it with *fix* if it crashed, else with *improve*; the child joins the pool
and the parent's belief gets alpha += 1 if the child is perfect, else beta += 1. It is
:class:`cwmb.methods.rex.ThompsonRefinement` with these settings; unlike our REx
default, a program already in the pool may join again (the paper's code did not
de-duplicate).
"""

from __future__ import annotations

from dataclasses import dataclass

from cwmb.methods.registry import register_method
from cwmb.methods.rex import RExConfig, ThompsonRefinement


@dataclass(frozen=True)
class WorldCoderConfig(RExConfig):
    """WorldCoder settings: C = 5 and no de-duplication, as in the GIF-MCTS paper's baseline."""

    heuristic_weight: float = 5.0
    deduplicate: bool = False


@register_method(
    "worldcoder", WorldCoderConfig, "WorldCoder: Thompson-sampling refinement (C = 5), as in the paper"
)
class WorldCoder(ThompsonRefinement):
    """The WorldCoder baseline (see the module docstring)."""
