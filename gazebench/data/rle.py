"""SIIM-ACR run-length masks: relative starts, column-major, over a H×W image (1024×1024 in the release)."""
from __future__ import annotations

import numpy as np


class RunsPastImage(ValueError):
    """An RLE whose runs end past the last pixel: a mask (partly) off the image."""


def decode_rle(rle: str, height: int = 1024, width: int = 1024) -> np.ndarray:
    """(height, width) bool mask from a relative column-major RLE; "-1" or blank is an empty mask.

    Each pair is `start length` where start counts from the end of the previous run (Kaggle's
    `mask_functions.rle2mask`). Raises ValueError on odd counts, negatives or runs past the image.
    """
    text = rle.strip()
    flat = np.zeros(height * width, dtype=bool)
    if text in ("", "-1"):
        return flat.reshape(width, height).T
    try:
        numbers = [int(v) for v in text.split()]  # Python ints: a 20-digit value cannot wrap around
    except ValueError as exc:
        raise ValueError(f"RLE has a non-integer value: {exc}") from None
    if len(numbers) % 2:
        raise ValueError("RLE has an odd number of values")
    if any(v < 0 for v in numbers):
        raise ValueError("RLE has a negative start or length")
    if sum(numbers) > flat.size:
        raise RunsPastImage(f"RLE runs past the end of a {height}x{width} image")
    values = np.array(numbers, dtype=np.int64)
    starts, lengths = values[0::2], values[1::2]
    ends = np.cumsum(starts + lengths)
    begins = ends - lengths
    for b, e in zip(begins, ends, strict=True):
        flat[b:e] = True
    return flat.reshape(width, height).T


def encode_rle(mask: np.ndarray) -> str:
    """Inverse of `decode_rle`: relative column-major RLE of a bool mask, "-1" when empty."""
    flat = np.asarray(mask, dtype=bool).T.reshape(-1)
    if not flat.any():
        return "-1"
    padded = np.concatenate([[False], flat, [False]])
    changes = np.flatnonzero(padded[1:] != padded[:-1])
    begins, ends = changes[0::2], changes[1::2]
    lengths = ends - begins
    prev_end = np.concatenate([[0], ends[:-1]])
    rel = begins - prev_end
    return " ".join(f"{s} {n}" for s, n in zip(rel, lengths, strict=True))
