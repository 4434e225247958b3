"""Ordered K-cell gaze targets from fixations (docs/reference_model.md, Targets): what the gaze tokens learn to predict.

Every method runs vectorised over a CSR batch of scanpaths (`ordered_targets_batch`); `ordered_targets` is
the same code on a batch of one. Off-image fixations, and fixations with a NaN time or a time more than
MAX_READING_SECONDS from their scanpath's median start (one absurd timestamp such as 1e15 would otherwise
stretch the time windows until every fixation fell into the first), are dropped and counted.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gazebench.errors import ConfigError
from gazebench.gaze.grid import Grid, cell_index, check_grid
from gazebench.gaze.heatmap import window_heatmaps
from gazebench.gaze.scanpath import EmptyScanpath, Scanpaths
from gazebench.records import Fixations

TARGET_METHODS = ("temporal-window", "dwell-topk", "first-k")
"""temporal-window (default): argmax cell of each of k equal time windows' heatmap; dwell-topk: the k cells
with most dwell, in first-visit order; first-k: the first k distinct cells visited."""

_CHUNK_FIXATIONS = 1 << 15
"""Fixations per temporal-window chunk (keeps the heatmaps and temporaries in cache)."""
MAX_READING_SECONDS = 3600.0
"""A fixation time further than this from its scanpath's median start cannot belong to the reading."""
_TIE = 1e-9
"""With an rng, cells within this relative distance of a window's maximum count as tied."""


@dataclass(frozen=True, eq=False)
class TargetBatch:
    """Targets of S scanpaths with what was dropped to get them."""

    targets: np.ndarray
    """(S, k) int64 cell indices; a row of -1 where the scanpath had no usable fixation."""
    n_fixations: np.ndarray
    """(S,) fixations given."""
    n_off_image: np.ndarray
    """(S,) fixations dropped because they lie off the image (or have NaN x/y)."""
    n_nan_time: np.ndarray
    """(S,) fixations dropped because a time is NaN, infinite or absurd (see MAX_READING_SECONDS)."""
    method: str

    @property
    def empty(self) -> np.ndarray:
        """(S,) True where no usable fixation was left."""
        return self.targets[:, 0] < 0


def _check_method(method: str) -> None:
    if method not in TARGET_METHODS:
        raise ConfigError(f"unknown gaze target method {method!r}; choose one of {', '.join(TARGET_METHODS)}")


def _without_absurd_times(paths: Scanpaths) -> Scanpaths:
    """`paths` with the start time of every fixation whose start or end lies more than MAX_READING_SECONDS
    from its scanpath's (lower) median start set to NaN, so `usable()` drops and counts it."""
    t, t_end = paths.t_start, paths.t_end
    if len(t) == 0:
        return paths
    finite = np.isfinite(t) & np.isfinite(t_end)
    owner = paths.owner
    key = np.where(finite, t, np.inf)
    order = np.lexsort((key, owner))  # by scanpath, then start; non-finite last within each scanpath
    n_finite = np.bincount(owner[finite], minlength=len(paths))
    mid = np.minimum(paths.offsets[:-1] + np.maximum(n_finite - 1, 0) // 2, len(t) - 1)
    median = np.where(n_finite > 0, key[order[mid]], 0.0)[owner]
    with np.errstate(invalid="ignore"):
        absurd = finite & ((np.abs(t - median) > MAX_READING_SECONDS) | (np.abs(t_end - median) > MAX_READING_SECONDS))
    if not absurd.any():
        return paths
    return dataclasses.replace(paths, t_start=np.where(absurd, np.nan, t))


def _fill_empty_windows(cells: np.ndarray) -> np.ndarray:
    """Replace -1 entries by the previous window's cell, or by the next one's at the start of a row."""
    k = cells.shape[1]
    pos = np.where(cells >= 0, np.arange(k), -1)
    prev = np.maximum.accumulate(pos, axis=1)
    nxt = np.minimum.accumulate(np.where(cells >= 0, np.arange(k), k)[:, ::-1], axis=1)[:, ::-1]
    source = np.where(prev >= 0, prev, np.minimum(nxt, k - 1))
    return np.take_along_axis(cells, source, axis=1)


def _temporal_window(paths: Scanpaths, grid: Grid, k: int, rng: np.random.Generator | None) -> np.ndarray:
    out = np.empty((len(paths), k), dtype=np.int64)
    start = 0
    while start < len(paths):  # chunks of whole scanpaths
        stop = int(np.searchsorted(paths.offsets, paths.offsets[start] + _CHUNK_FIXATIONS, side="right")) - 1
        stop = min(max(stop, start + 1), len(paths))
        heat = window_heatmaps(paths.select(start, stop), grid, k)
        top = heat.max(axis=2)
        if rng is None:
            cells = heat.argmax(axis=2)
        else:
            tied = heat >= top[..., None] * (1 - _TIE)
            cells = (tied * rng.random(heat.shape)).argmax(axis=2)
        out[start:stop] = np.where(top > 0, cells, -1)
        start = stop
    return _fill_empty_windows(out)


def _visit_order(paths: Scanpaths, grid: Grid, k: int, method: str, rng: np.random.Generator | None) -> np.ndarray:
    """dwell-topk and first-k: per (scanpath, cell) dwell and first-visit rank, then pick k per scanpath."""
    rows, cols = check_grid(grid)
    paths = paths.time_sorted()
    owner = paths.owner
    s = len(paths)
    cell = cell_index(paths.x, paths.y, (paths.width[owner], paths.height[owner]), grid)
    key = owner * (rows * cols) + cell
    pairs, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    path, cell = pairs // (rows * cols), pairs % (rows * cols)
    if method == "first-k":
        order = np.lexsort((first, path))
    else:
        dwell = np.bincount(inverse, weights=paths.fixation_weights(), minlength=len(pairs))
        tie = first if rng is None else rng.permutation(len(pairs))
        order = np.lexsort((tie, -dwell, path))
    path_sorted = path[order]
    group_start = np.searchsorted(path_sorted, path_sorted, side="left")
    chosen = order[np.arange(len(order)) - group_start < k]
    if method == "dwell-topk":  # back to first-visit order
        chosen = chosen[np.lexsort((first[chosen], path[chosen]))]
    n_chosen = np.bincount(path[chosen], minlength=s)
    slot = np.arange(len(chosen)) - np.searchsorted(path[chosen], path[chosen], side="left")
    picked = np.full((s, k), -1, dtype=np.int64)
    picked[path[chosen], slot] = cell[chosen]
    repeat_last = np.minimum(np.arange(k), np.maximum(n_chosen, 1)[:, None] - 1)
    return np.take_along_axis(picked, repeat_last, axis=1)


def ordered_targets_batch(
    t_start: ArrayLike,
    t_end: ArrayLike,
    x: ArrayLike,
    y: ArrayLike,
    offsets: ArrayLike,
    image_size: ArrayLike,
    grid: Grid,
    k: int = 4,
    method: str = "temporal-window",
    pixels_per_degree: ArrayLike = 50.0,
    rng: np.random.Generator | None = None,
) -> TargetBatch:
    """Ordered targets of many scanpaths given as CSR arrays (scanpath s = rows offsets[s]:offsets[s+1]).

    `image_size` is one (W, H) or an (S, 2) array, `pixels_per_degree` a scalar or (S,). Ties go to the lowest
    cell index (temporal-window) or the earlier first visit (dwell-topk), or at random when `rng` is given.
    """
    paths = Scanpaths.build(t_start, t_end, x, y, offsets, image_size, pixels_per_degree)
    return targets_for(paths, grid, k, method, rng)


def targets_for(
    paths: Scanpaths, grid: Grid, k: int = 4, method: str = "temporal-window", rng: np.random.Generator | None = None
) -> TargetBatch:
    """ordered_targets_batch on an already packed batch (see Scanpaths.pack)."""
    _check_method(method)
    check_grid(grid)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    usable, n_nan, n_off = _without_absurd_times(paths).usable()
    if method == "temporal-window":
        targets = _temporal_window(usable, grid, k, rng)
    else:
        targets = _visit_order(usable, grid, k, method, rng)
    targets[usable.lengths == 0] = -1
    return TargetBatch(targets, paths.lengths.astype(np.int64), n_off, n_nan, method)


def ordered_targets(
    fix: Fixations,
    image_size: tuple[float, float],
    grid: Grid,
    k: int = 4,
    method: str = "temporal-window",
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """The k ordered target cells (int64) of one reading; EmptyScanpath if no fixation is usable."""
    batch = targets_for(Scanpaths.pack([fix], [image_size]), grid, k, method, rng)
    if batch.empty[0]:
        raise EmptyScanpath(
            f"no usable fixation among {len(fix)} ({int(batch.n_off_image[0])} off the image, "
            f"{int(batch.n_nan_time[0])} with NaN or absurd times)"
        )
    return batch.targets[0]
