"""Dataset readers: `READERS.create(name, root=...)` parses one published on-disk format into a Dataset.

Each reader module registers itself with `@READERS.register("name")`; third-party readers come in through
the `gazebench.readers` entry-point group.
"""
from __future__ import annotations

from gazebench.data.readers import (  # noqa: F401  (each registers itself)
    chexpert,
    cxr_vqa,
    eyegaze,
    mimic_eye,
    ms_cxr,
    reflacx,
    rsna,
    siim_acr,
)
from gazebench.data.readers.registry import READERS

__all__ = ["READERS"]
