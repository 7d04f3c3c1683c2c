"""The 18 CWMB environments: registry, construction, exact snapshots and descriptions."""

from cwmb.benchmark.registry import ENVS, EnvSpec, env_names, get_env, resolve_envs

__all__ = ["ENVS", "EnvSpec", "env_names", "get_env", "resolve_envs"]
