"""APPS prompt set for zero-shot chain of thought (only generate differs from apps)."""
