"""The RTFM domain: simplified "Read to Fight Monsters" (paper §5.4, Table 3) as a cwmb environment.

Import :mod:`cwmb.rtfm.env` to register ``cwmb/RTFM-SimpleStationary-v0`` with gymnasium;
this package itself imports nothing heavy, so ``cwmb --help`` stays fast.
"""

BENCHMARK_NAME = "RTFM-SimpleStationary-v0"
