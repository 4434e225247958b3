"""Dataset readers: `READERS.create(name, root=...)` parses one published on-disk format into a Dataset.

Each reader module registers itself with `@READERS.register("name")`; third-party readers come in through
the `gazebench.readers` entry-point group.
"""
from __future__ import annotations

from gazebench.records import Dataset
from gazebench.registry import Registry

READERS: Registry[Dataset] = Registry("dataset reader", group="gazebench.readers")

from gazebench.data.readers import (  # noqa: E402,F401
    chexpert,
    cxr_vqa,
    eyegaze,
    mimic_eye,
    ms_cxr,
    reflacx,
    rsna,
    siim_acr,
)
