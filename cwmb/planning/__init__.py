"""Planners that act through a world model: CEM for continuous actions (MCTS comes later)."""
