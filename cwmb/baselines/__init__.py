"""Offline-RL baselines trained on cwmb's datasets (paper Table 12)."""

from pathlib import Path

# Where ``cwmb baseline cql`` writes its records by default (beside the reference returns),
# and where the report's Table 12 reads them.
CQL_RECORDS = Path(__file__).resolve().parents[1] / "benchmark" / "reference_returns" / "cql"
