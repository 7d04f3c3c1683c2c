"""Pusher-v4 against Pusher-v5: how much of the oracle gap does the object's density explain?

Pusher-v4 (the paper's id) refuses to run on mujoco>=3, so cwmb runs Pusher-v5, whose XML
raised the object's density from 1e-5 to 0.01 (gymnasium issue 950). Pusher-v5 accepts
an ``xml_file``, so the v4 model (``pusher.xml``, shipped with gymnasium) can run on the
pinned stack. This script plays the same seeded episodes with the CEM oracle and the random
policy on both models and prints mean ± standard error of the return, for a reduced CEM
(so that it finishes in minutes; pass --set to change it).

    .venv/bin/python benchmarks/pusher_density.py --episodes 5 \
        --set cem.iterations=5 cem.samples=200 cem.elites=20
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from cwmb.benchmark import get_env
from cwmb.benchmark.making import make_env
from cwmb.planning.episodes import ActionInfo, OraclePolicy, RandomPolicy, episode_seeds, make_planner, play
from cwmb.planning.profiles import load_profile, parse_override


def _xml(name: str) -> str:
    import gymnasium

    return str(Path(gymnasium.__file__).parent / "envs" / "mujoco" / "assets" / name)


def episode(xml: str, agent: str, profile, index: int) -> float:
    """One seeded episode (the seeds of ``cwmb references``) on the Pusher model ``xml``."""
    spec = get_env("Pusher-v4")
    reset_seed, planner_seed, chance_seed = episode_seeds(profile.seed, index)
    real_env = make_env(spec, xml_file=xml)
    actions = ActionInfo.from_space(real_env.action_space)
    if agent == "random":
        policy = RandomPolicy(actions, planner_seed)
    else:
        planning_env = make_env(spec, xml_file=xml)
        planning_env.reset(seed=reset_seed)
        policy = OraclePolicy(
            real_env, planning_env, make_planner(actions, profile, planner_seed), chance_seed
        )
    return float(play(real_env, policy, reset_seed, spec.episode_cap)["episode_return"])


def main() -> None:
    """Print random and oracle returns on the v5 and the v4 object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--set", nargs="*", default=[], help="planner profile overrides, KEY=VALUE")
    args = parser.parse_args()
    profile = load_profile("paper", dict(parse_override(text) for text in args.set))
    print(f"profile paper with {args.set or 'no overrides'}, {args.episodes} episodes")
    for label, xml in (
        ("Pusher-v5 object (density 0.01)", "pusher_v5.xml"),
        ("Pusher-v4 object (1e-5)", "pusher.xml"),
    ):
        for agent in ("random", "oracle"):
            returns = np.array([episode(_xml(xml), agent, profile, i) for i in range(args.episodes)])
            se = returns.std(ddof=1) / math.sqrt(len(returns)) if len(returns) > 1 else float("nan")
            print(f"{label:34s} {agent:6s} {returns.mean():9.2f} ± {se:5.2f}")


if __name__ == "__main__":
    main()
