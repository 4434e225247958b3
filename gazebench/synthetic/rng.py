"""Deterministic random streams: one independent generator per (seed, purpose, item) so that outputs do
not depend on generation order, process count or which other items were generated."""
from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *keys: str | int) -> np.random.Generator:
    """A generator determined only by `seed` and the `keys` naming what it is for (e.g. "mimic", 12, "gaze")."""
    words = [int(seed) & 0xFFFFFFFF]
    for key in keys:
        words.append(zlib.crc32(key.encode()) if isinstance(key, str) else int(key) & 0xFFFFFFFF)
    return np.random.default_rng(np.random.SeedSequence(words))
