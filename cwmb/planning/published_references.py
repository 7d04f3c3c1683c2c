"""The paper's random and oracle returns (Table 12), as an explicit alternative normalizer.

cwmb's own reference returns (:mod:`cwmb.planning.references`) are computed on the pinned
physics (gymnasium 1.4.0, MuJoCo 4) with the profile's planners; they are the default. The
paper's were computed on older gymnasium and MuJoCo versions (``Pusher-v4`` even on another
model), so R against them mixes two physics versions: every place that shows such an R
says so with :data:`PUBLISHED_LABEL`. The paper gives means over 10 episodes and no
standard errors, so R is N/A only where the two means are equal (MountainCar, Acrobot).

Numbers typed in from Table 12 of Dainese et al. (NeurIPS 2024), as transcribed in the
project's reference notes (``shared/reference/paper.md`` §6).
"""

from __future__ import annotations

from cwmb.benchmark.registry import get_env
from cwmb.errors import CwmbError
from cwmb.planning.normalized import ReturnSummary
from cwmb.planning.references import References

PUBLISHED_LABEL = "paper's normalizers, other physics version"
REFERENCE_CHOICES = ("ours", "published")
PAPER_EPISODES = 10

# env -> (random mean, oracle mean), Table 12.
TABLE_12: dict[str, tuple[float, float]] = {
    "Blackjack-v1": (0.0, 1.0),
    "CliffWalking-v0": (-1169.2, -100.0),
    "Taxi-v3": (-798.5, -124.5),
    "CartPole-v1": (24.4, 494.0),
    "MountainCar-v0": (-200.0, -200.0),
    "Acrobot-v1": (-500.0, -500.0),
    "Pendulum-v1": (-1122.8, -373.6),
    "Reacher-v4": (-43.7, -6.8),
    "Pusher-v4": (-149.9, -30.3),
    "InvertedPendulum-v4": (8.3, 42.5),
    "InvertedDoublePendulum-v4": (49.0, 241.6),
    "HalfCheetah-v4": (-304.5, 893.3),
    "Hopper-v4": (32.2, 229.1),
    "Swimmer-v4": (-5.9, 317.8),
    "Walker2d-v4": (0.0, 334.7),
    "Ant-v4": (-33.2, 1304.7),
    "Humanoid-v4": (139.4, 1860.7),
    "HumanoidStandup-v4": (33240.2, 138075.6),
}


def published_summaries(env: str, profile: object = None) -> References:
    """The paper's random and oracle means of ``env`` (standard error unknown, taken as 0).

    ``profile`` is accepted (and ignored) so that this fits where
    :func:`~cwmb.planning.references.reference_summaries` does; the label says the rest.
    """
    name = get_env(env).name
    if name not in TABLE_12:
        raise CwmbError(f"the paper publishes no reference returns for {name}")
    random, oracle = TABLE_12[name]
    return References(
        name,
        ReturnSummary(random, 0.0, PAPER_EPISODES),
        ReturnSummary(oracle, 0.0, PAPER_EPISODES),
        label=PUBLISHED_LABEL,
    )


def check_choice(references: str) -> str:
    """Validate a ``--references`` value (``ours`` or ``published``)."""
    if references not in REFERENCE_CHOICES:
        raise CwmbError(
            f"unknown references '{references}'",
            "use ours (this stack's random/oracle returns, the default) or published (the paper's Table 12)",
        )
    return references
