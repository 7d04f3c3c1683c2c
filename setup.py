"""Build hook: a wheel carries the repository's top-level ``configs/`` and ``trajectories/``.

They are copied into the built package as ``cwmb/_data/configs/`` and
``cwmb/_data/trajectories/``, so an installed cwmb finds its presets and the shipped
dataset from any directory (:mod:`cwmb.presets` gives the resolution order). The top-level
directories stay the ones a user edits; an editable install reads them in place. All
other metadata is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("configs", "trajectories")


class BuildWithData(build_py):
    """``build_py`` that also copies :data:`BUNDLED` into ``cwmb/_data/`` of the build."""

    def run(self) -> None:
        """Build the package, then add the data (not for an editable install: it reads the checkout)."""
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "cwmb" / "_data"
        for name in BUNDLED:
            source = ROOT / name
            if not source.is_dir():
                raise SystemExit(f"cannot build cwmb: {source} is missing (build from a full checkout)")
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithData})
