"""Control gaze targets (docs/reference_model.md, Targets): the same cells in another order, or random cells.

Each sample's control is seeded from (seed, kind, sample_key) by a stable hash, so a sample always gets the same
control targets in every run and process (Python's hash() is salted per process, so it is not used).
"""
from __future__ import annotations

import hashlib

import numpy as np
from numpy.typing import ArrayLike

from gazebench.errors import ConfigError
from gazebench.gaze.grid import Grid, cell_index, check_grid
from gazebench.gaze.targets import ordered_targets
from gazebench.records import Fixations

CONTROL_KINDS = ("original", "shuffled", "random")
"""original: the radiologist's ordered targets; shuffled: the same cells in another order; random: uniform cells."""


def shuffled(targets: ArrayLike, rng: np.random.Generator) -> np.ndarray:
    """A random reordering of `targets` that differs from it as a sequence.

    Uniform over the orderings that differ (rejection sampling; each draw differs with probability >= 1/2).
    If every entry is equal no other order exists, and a copy is returned unchanged.
    """
    targets = np.asarray(targets)
    if targets.ndim != 1:
        raise ValueError(f"targets must be one sequence, got shape {targets.shape}")
    if len(np.unique(targets)) < 2:
        return targets.copy()
    while True:
        candidate = rng.permutation(targets)
        if not np.array_equal(candidate, targets):
            return candidate


def _box_cells(box: tuple[float, float, float, float], image_size: tuple[float, float], grid: Grid) -> np.ndarray:
    """Cells whose centre lies inside the box, or, for a box smaller than a cell, the cells it touches."""
    rows, cols = check_grid(grid)
    width, height = image_size
    xmin, ymin, xmax, ymax = box
    if not (xmax > xmin and ymax > ymin):
        raise ValueError(f"chest box must have xmax > xmin and ymax > ymin, got {box}")
    cx = (np.arange(cols) + 0.5) * width / cols
    cy = (np.arange(rows) + 0.5) * height / rows
    inside_c = np.flatnonzero((cx >= xmin) & (cx <= xmax))
    inside_r = np.flatnonzero((cy >= ymin) & (cy <= ymax))
    if len(inside_c) == 0 or len(inside_r) == 0:
        corners = cell_index(
            np.clip([xmin, xmax], 0, np.nextafter(width, 0)), np.clip([ymin, ymax], 0, np.nextafter(height, 0)),
            image_size, grid,
        )
        (r0, r1), (c0, c1) = np.divmod(corners, cols)
        inside_r, inside_c = np.arange(r0, r1 + 1), np.arange(c0, c1 + 1)
    return (inside_r[:, None] * cols + inside_c).ravel()


def random_targets(
    grid: Grid,
    k: int,
    rng: np.random.Generator,
    box: tuple[float, float, float, float] | None = None,
    image_size: tuple[float, float] | None = None,
) -> np.ndarray:
    """k cells drawn independently and uniformly (with replacement) from the grid, or from the cells of a
    chest box (xmin, ymin, xmax, ymax) given in pixels of an image of `image_size` = (W, H)."""
    rows, cols = check_grid(grid)
    if box is None:
        return rng.integers(0, rows * cols, size=k, dtype=np.int64)
    if image_size is None:
        raise ValueError("random_targets needs image_size to place a chest box on the grid")
    cells = _box_cells(box, image_size, grid)
    return cells[rng.integers(0, len(cells), size=k)].astype(np.int64)


def sample_rng(seed: int, kind: str, sample_key: str) -> np.random.Generator:
    """A generator seeded by a stable hash of (seed, kind, sample_key)."""
    digest = hashlib.blake2b(f"{seed}\x1f{kind}\x1f{sample_key}".encode(), digest_size=16).digest()
    return np.random.default_rng(int.from_bytes(digest, "little"))


def make_targets(
    kind: str,
    fix: Fixations | None,
    image_size: tuple[float, float],
    grid: Grid,
    k: int,
    seed: int,
    sample_key: str,
    method: str = "temporal-window",
    box: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    """Targets of one sample for a control kind ("original", "shuffled", "random"), reproducible per sample.

    original/shuffled need fixations (EmptyScanpath if none is usable); random ignores them and draws inside
    `box` when one is given.
    """
    if kind not in CONTROL_KINDS:
        raise ConfigError(f"unknown gaze control {kind!r}; choose one of {', '.join(CONTROL_KINDS)}")
    rng = sample_rng(seed, kind, sample_key)
    if kind == "random":
        return random_targets(grid, k, rng, box=box, image_size=image_size)
    if fix is None:
        raise ValueError(f"{sample_key}: the {kind!r} control needs fixations")
    original = ordered_targets(fix, image_size, grid, k=k, method=method)
    return original if kind == "original" else shuffled(original, rng)
