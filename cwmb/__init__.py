"""cwmb: the Code World Models Benchmark harness.

Importing this package is cheap on purpose: gymnasium, MuJoCo and litellm are imported
only by the commands that need them, so that ``cwmb --help`` starts fast.
"""

__version__ = "0.1.0"
