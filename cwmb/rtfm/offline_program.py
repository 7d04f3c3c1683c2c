"""What the offline simulated coder (:mod:`cwmb.llm.offline`) writes for RTFM.

The coder injects faults into a reference world model; for RTFM that is the exact
reference of :mod:`cwmb.rtfm.reference`, so the generic fault kinds (constants, flipped
comparisons, misspelt names, syntax errors, ...) apply to it unchanged.
"""

from __future__ import annotations

from cwmb.rtfm import BENCHMARK_NAME


def rtfm_offline_reference(env_name: str) -> str | None:
    """The RTFM reference program if ``env_name`` is RTFM (name or gymnasium id), else None."""
    if env_name.lower() not in (BENCHMARK_NAME.lower(), f"cwmb/{BENCHMARK_NAME}".lower()):
        return None
    from cwmb.rtfm.reference import reference_source

    return reference_source()
