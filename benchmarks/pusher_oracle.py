"""Why is our Pusher oracle (-45.8) below the paper's (-30.3)? Two candidate causes, measured.

1. **The object.** Pusher-v4 (the paper's id) refuses to run on mujoco>=3, so cwmb runs
   Pusher-v5, whose XML raised the object's density from 1e-5 to 0.01. Pusher-v5 accepts an
   ``xml_file``, so the v4 model (``pusher.xml``, shipped with gymnasium) runs here too.
2. **The original oracle's deep copy.** The original saved and restored the true env with
   ``copy.deepcopy`` of its attributes. A gymnasium MuJoCo env re-builds itself when deep
   copied, at the model's initial pose: every joint at 0, which for Pusher puts the object
   *on the goal* (both bodies sit at (0.45, -0.05) in the XML). After the first CEM sample the
   original's real env was such a copy, so its oracle planned and played from that pose.

Each variant plays the same seeded episodes with the CEM oracle (and the random policy where
the start state is the real one) and prints mean ± standard error of the return. A reduced
CEM keeps it to minutes; ``--set`` changes any planner setting::

    .venv/bin/python benchmarks/pusher_oracle.py --episodes 5 \\
        --set cem.iterations=5 cem.samples=200 cem.elites=20
    .venv/bin/python benchmarks/pusher_oracle.py --episodes 3 --variant 2 --agent oracle  # paper CEM
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from cwmb.benchmark import get_env
from cwmb.benchmark.making import make_env
from cwmb.planning.episodes import ActionInfo, OraclePolicy, RandomPolicy, episode_seeds, make_planner, play
from cwmb.planning.profiles import load_profile, parse_override


def _xml(name: str) -> str:
    import gymnasium

    return str(Path(gymnasium.__file__).parent / "envs" / "mujoco" / "assets" / name)


class InitialPose:
    """A Pusher env whose ``reset`` ends at the model's initial pose, as a deep copy rebuilds it."""

    def __init__(self, env: Any) -> None:
        self._env = env

    def __getattr__(self, name: str) -> Any:
        return getattr(self._env, name)

    def reset(self, **kwargs: Any) -> tuple[Any, dict]:
        """Reset (for the RNG), then put every joint back at the model's initial pose."""
        import mujoco

        _, info = self._env.reset(**kwargs)
        mujoco.mj_resetData(self._env.model, self._env.data)
        mujoco.mj_forward(self._env.model, self._env.data)
        return self._env._get_obs(), info


def episode(xml: str, agent: str, profile: Any, index: int, initial_pose: bool) -> float:
    """One seeded episode (the seeds of ``cwmb references``) of ``agent`` on the model ``xml``."""
    spec = get_env("Pusher-v4")
    reset_seed, planner_seed, chance_seed = episode_seeds(profile.seed, index)
    real_env = make_env(spec, xml_file=xml)
    if initial_pose:
        real_env = InitialPose(real_env)
    actions = ActionInfo.from_space(real_env.action_space)
    if agent == "random":
        policy: Any = RandomPolicy(actions, planner_seed)
    else:
        planning_env = make_env(spec, xml_file=xml)
        planning_env.reset(seed=reset_seed)
        policy = OraclePolicy(
            real_env, planning_env, make_planner(actions, profile, planner_seed), chance_seed
        )
    return float(play(real_env, policy, reset_seed, spec.episode_cap)["episode_return"])


VARIANTS = (
    ("Pusher-v5 (cwmb)", "pusher_v5.xml", False),
    ("v4 object (density 1e-5)", "pusher.xml", False),
    ("v5, start at the initial pose", "pusher_v5.xml", True),
)


def main() -> None:
    """Print random and oracle returns for each variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--set", nargs="*", default=[], help="planner profile overrides, KEY=VALUE")
    parser.add_argument("--variant", type=int, nargs="*", help="run only these variants (0, 1, 2)")
    parser.add_argument("--agent", nargs="*", default=["random", "oracle"], help="random and/or oracle")
    args = parser.parse_args()
    profile = load_profile("paper", dict(parse_override(text) for text in args.set))
    print(f"profile paper with {args.set or 'no overrides'}, {args.episodes} episodes")
    chosen = [VARIANTS[i] for i in args.variant] if args.variant else list(VARIANTS)
    for label, xml, initial_pose in chosen:
        for agent in args.agent:
            returns = np.array(
                [episode(_xml(xml), agent, profile, i, initial_pose) for i in range(args.episodes)]
            )
            se = returns.std(ddof=1) / math.sqrt(len(returns)) if len(returns) > 1 else float("nan")
            print(f"{label:30s} {agent:6s} {returns.mean():9.2f} ± {se:5.2f}", flush=True)


if __name__ == "__main__":
    main()
