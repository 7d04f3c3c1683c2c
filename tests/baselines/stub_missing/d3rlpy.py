"""Stands in for an environment without d3rlpy: importing it fails like a missing package."""

raise ImportError("d3rlpy is not installed (test stub)")
