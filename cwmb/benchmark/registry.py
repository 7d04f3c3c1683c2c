"""The 18 CWMB environments (and RTFM): names, gymnasium ids, action kinds, planners and caps.

Everything here is plain data so that ``cwmb envs`` needs no gymnasium import. A test
checks every record against the installed gymnasium (spaces, time limits, ids).
"""

from __future__ import annotations

from dataclasses import dataclass

from cwmb.errors import unknown_name_error


@dataclass(frozen=True)
class EnvSpec:
    """One benchmark environment.

    ``name`` is the paper's CWMB name; ``gym_id`` is what it runs as on the pinned stack
    (gymnasium 1.4.0, mujoco 4.0.0); ``id_note`` says why they differ, if they do.
    ``episode_cap`` is the number of steps after which the benchmark truncates an
    episode (gymnasium's own TimeLimit where it has one).
    """

    name: str
    gym_id: str
    family: str  # "toy_text", "classic_control", "mujoco" or "rtfm"
    action_kind: str  # "discrete" or "continuous"
    observation_space: str
    action_space: str
    gym_time_limit: int | None
    episode_cap: int
    id_note: str = ""

    @property
    def planner(self) -> str:
        """The planner the paper uses on this env: MCTS for discrete actions, CEM otherwise."""
        return "mcts" if self.action_kind == "discrete" else "cem"

    @property
    def is_discrete(self) -> bool:
        """True when actions are discrete."""
        return self.action_kind == "discrete"


_CLIFF_NOTE = "CliffWalking-v0 is no longer registered; v1 with default arguments has the same dynamics"
_TAXI_NOTE = "Taxi-v3 is no longer registered; v4 with default arguments has the same dynamics"
_PUSHER_NOTE = (
    "Pusher-v4 refuses to run on mujoco>=3; Pusher-v5 has the same 23-d observation and 7-d action, "
    "but a heavier object (v5 fixed its density to be above air) and so slightly different dynamics"
)
_NO_LIMIT = "no TimeLimit in gymnasium; the benchmark caps episodes at 100 steps as the original did"


def _mujoco(name: str, obs: int, act: int, bound: str = "1", limit: int = 1000, note: str = "") -> EnvSpec:
    gym_id = name if name != "Pusher-v4" else "Pusher-v5"
    return EnvSpec(
        name=name,
        gym_id=gym_id,
        family="mujoco",
        action_kind="continuous",
        observation_space=f"Box({obs},) float64",
        action_space=f"Box(±{bound}, ({act},)) float32",
        gym_time_limit=limit,
        episode_cap=limit,
        id_note=note,
    )


ENVS: tuple[EnvSpec, ...] = (
    EnvSpec(
        "Blackjack-v1",
        "Blackjack-v1",
        "toy_text",
        "discrete",
        "Tuple(Discrete 32, 11, 2)",
        "Discrete(2)",
        None,
        100,
        _NO_LIMIT,
    ),
    EnvSpec(
        "CliffWalking-v0",
        "CliffWalking-v1",
        "toy_text",
        "discrete",
        "Discrete(48)",
        "Discrete(4)",
        None,
        100,
        f"{_CLIFF_NOTE}; {_NO_LIMIT}",
    ),
    EnvSpec(
        "Taxi-v3", "Taxi-v4", "toy_text", "discrete", "Discrete(500)", "Discrete(6)", 200, 200, _TAXI_NOTE
    ),
    EnvSpec(
        "CartPole-v1",
        "CartPole-v1",
        "classic_control",
        "discrete",
        "Box(4,) float32",
        "Discrete(2)",
        500,
        500,
    ),
    EnvSpec(
        "MountainCar-v0",
        "MountainCar-v0",
        "classic_control",
        "discrete",
        "Box(2,) float32",
        "Discrete(3)",
        200,
        200,
    ),
    EnvSpec(
        "Acrobot-v1", "Acrobot-v1", "classic_control", "discrete", "Box(6,) float32", "Discrete(3)", 500, 500
    ),
    EnvSpec(
        "Pendulum-v1",
        "Pendulum-v1",
        "classic_control",
        "continuous",
        "Box(3,) float32",
        "Box(±2, (1,)) float32",
        200,
        200,
    ),
    _mujoco("Reacher-v4", 11, 2, limit=50),
    _mujoco("Pusher-v4", 23, 7, bound="2", limit=100, note=_PUSHER_NOTE),
    _mujoco("InvertedPendulum-v4", 4, 1, bound="3"),
    _mujoco("InvertedDoublePendulum-v4", 11, 1),
    _mujoco("HalfCheetah-v4", 17, 6),
    _mujoco("Hopper-v4", 11, 3),
    _mujoco("Swimmer-v4", 8, 2),
    _mujoco("Walker2d-v4", 17, 6),
    _mujoco("Ant-v4", 27, 8),
    _mujoco("Humanoid-v4", 376, 17, bound="0.4"),
    _mujoco("HumanoidStandup-v4", 376, 17, bound="0.4"),
)

# Environments of other domains than CWMB (paper §5.4): known by name, but not part of
# "all", which stays the 18 CWMB envs of the paper's Table 2.
RTFM_NOTE = (
    "the paper's simplified RTFM (fixed manual, stationary monsters), re-implemented from its rules "
    "in cwmb.rtfm; episodes are truncated after 100 steps, as the paper's data was"
)
DOMAIN_ENVS: tuple[EnvSpec, ...] = (
    EnvSpec(
        "RTFM-SimpleStationary-v0",
        "cwmb/RTFM-SimpleStationary-v0",
        "rtfm",
        "discrete",
        "Dict(board (6, 6, 2), inventory) of 7 words",
        "Discrete(5)",
        100,
        100,
        RTFM_NOTE,
    ),
)

_KNOWN = ENVS + DOMAIN_ENVS
_BY_NAME = {spec.name: spec for spec in _KNOWN}
# Users may also type the gymnasium id an env runs as, or any case.
_ALIASES = {spec.gym_id.lower(): spec for spec in _KNOWN} | {spec.name.lower(): spec for spec in _KNOWN}


def env_names() -> list[str]:
    """The 18 CWMB names in the paper's order (discrete envs first)."""
    return [spec.name for spec in ENVS]


def get_env(name: str) -> EnvSpec:
    """Look up an env by CWMB name or gymnasium id (any case); raise a CwmbError naming the closest."""
    spec = _BY_NAME.get(name) or _ALIASES.get(name.lower())
    if spec is None:
        raise unknown_name_error("environment", name, [s.name for s in _KNOWN], "cwmb envs")
    return spec


def resolve_envs(names: list[str] | None) -> list[EnvSpec]:
    """Resolve a list of names from the command line; ``all`` (or nothing) means the 18 CWMB envs.

    Envs of other domains (:data:`DOMAIN_ENVS`, e.g. RTFM) are resolved by name only.
    """
    if not names or any(n.lower() == "all" for n in names):
        return list(ENVS)
    resolved: list[EnvSpec] = []
    for name in names:
        for part in name.split(","):
            spec = get_env(part.strip())
            if spec not in resolved:
                resolved.append(spec)
    return resolved
