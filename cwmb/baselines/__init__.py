"""Offline-RL baselines trained on cwmb's datasets (paper Table 12)."""
