"""APPS prompt set: templates for competition programs judged by unit tests."""
