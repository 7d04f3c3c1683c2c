"""``cwmb apps fetch``: download a split of APPS from the Hugging Face hub (the only network use of APPS).

The hub repository ``codeparrot/apps`` (MIT-licensed, as APPS is) holds ``test.jsonl`` and
``train.jsonl`` in the hub layout :mod:`cwmb.apps.data` reads. ``huggingface_hub`` is
imported only here; it is installed with litellm.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from cwmb.apps.data import SPLITS
from cwmb.errors import CwmbError

REPOSITORY = "codeparrot/apps"


def fetch_split(out: Path, split: str = "test") -> Path:
    """Download ``<split>.jsonl`` into ``out`` and return its path; a clear error when offline."""
    if split not in SPLITS:
        raise CwmbError(f"unknown APPS split {split!r}", f"choose one of {', '.join(SPLITS)}")
    target = Path(out) / f"{split}.jsonl"
    if target.exists():
        raise CwmbError(f"{target} exists already", "remove it first, or check it with `cwmb apps check`")
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise CwmbError("huggingface_hub is not installed", "pip install huggingface_hub") from None
    try:
        cached = hf_hub_download(REPOSITORY, f"{split}.jsonl", repo_type="dataset")
    except Exception as problem:  # the hub client raises many types (offline, HTTP, not found)
        raise CwmbError(
            f"cannot download {split}.jsonl of {REPOSITORY}: {type(problem).__name__}",
            "this needs the network; or download the original APPS.tar.gz yourself (docs/apps.md)",
        ) from None
    Path(out).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    return target
