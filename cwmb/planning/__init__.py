"""Planners that act through a world model (MCTS for discrete actions, CEM for continuous),
the episode loop on the true environment, planner profiles and the normalized return."""
