"""Duration-weighted Gaussian gaze heatmaps (sigma = 1 degree), integrated exactly over grid cells.

Each fixation's 2-D Gaussian is separable, so its mass in cell (r, c) is the product of two 1-D normal-CDF
differences over the cell edges: the exact pooled heatmap, not a sample at cell centres. Each 1-D Gaussian is
evaluated on a band of cells covering ±TRUNCATE sigma; the tails beyond (at most Φ(-4) ≈ 3.2e-5 of the mass on
each side) are added to the band's end cells, and mass falling off the image is lost, as in REFLACX's pixel
heatmaps. A pixel heatmap is the same thing on a one-cell-per-pixel grid.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

from gazebench.gaze.grid import Grid, cell_index, check_grid
from gazebench.gaze.scanpath import EmptyScanpath, Scanpaths
from gazebench.records import Fixations

TRUNCATE = 4.0
"""Half-width, in sigmas, of the band of cells each Gaussian is evaluated on."""
_CHUNK = 1 << 16
"""Cells accumulated per bincount call (temporaries stay in L2 cache)."""


def _axis_mass(pos: np.ndarray, extent: np.ndarray, ncell: int, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-D Gaussian mass of each point in a band of consecutive cells along one axis.

    Returns (first cell (p,), mass (p, band)); the band is the same width for all points, lies inside the grid
    and covers ±TRUNCATE sigma around each point. The tails beyond the band go to its end cells, except at an
    image border, where they are lost.
    """
    per_pixel = ncell / extent
    sigma_cells = sigma * per_pixel
    band = min(ncell, math.ceil(2 * TRUNCATE * float(np.max(sigma_cells, initial=0.0))) + 1)
    pos_cells = pos * per_pixel
    first = np.clip(np.floor(pos_cells - TRUNCATE * sigma_cells), 0, ncell - band)
    inverse = 1.0 / sigma_cells
    start = (first - pos_cells) * inverse
    cdf = np.empty((len(pos), band + 1))
    cdf[:, 1:-1] = ndtr(start[:, None] + np.arange(1, band) * inverse[:, None])
    cdf[:, 0], cdf[:, -1] = 0.0, 1.0
    low, high = first == 0, first == ncell - band  # band ends on an image border: keep the exact CDF there
    cdf[low, 0] = ndtr(start[low])
    cdf[high, -1] = ndtr(start[high] + band * inverse[high])
    return first.astype(np.int64), cdf[:, 1:] - cdf[:, :-1]


def _accumulate(
    heat: np.ndarray,
    segment: np.ndarray,
    weight: np.ndarray,
    x_band: tuple[np.ndarray, np.ndarray],
    y_band: tuple[np.ndarray, np.ndarray],
    grid: Grid,
) -> None:
    """Add weight · (y mass ⊗ x mass) of each point to its segment's map in `heat` (n_segments, rows·cols)."""
    rows, cols = grid
    (col0, mass_x), (row0, mass_y) = x_band, y_band
    flat = heat.reshape(-1)
    base = segment * (rows * cols) + row0 * cols + col0
    offset = (np.arange(mass_y.shape[1]) * cols)[:, None] + np.arange(mass_x.shape[1])
    step = max(1, _CHUNK // offset.size)
    for a in range(0, len(segment), step):  # cache-sized temporaries, also for wide pixel-level bands
        part = slice(a, a + step)
        lo = int(base[part].min())
        index = (base[part, None, None] - lo) + offset
        values = (mass_y[part] * weight[part, None])[:, :, None] * mass_x[part, None, :]
        counts = np.bincount(index.ravel(), values.ravel())
        flat[lo : lo + len(counts)] += counts


def window_heatmaps(paths: Scanpaths, grid: Grid, k: int) -> np.ndarray:
    """Heatmap of each of k equal time windows of each scanpath: (S, k, rows·cols), unnormalised.

    `paths` must hold usable fixations only (Scanpaths.usable). Window w of a scanpath spans
    [t0 + w·T/k, t0 + (w+1)·T/k] of its [first start, last end]; a fixation weighs the part of its duration
    inside the window. A scanpath whose durations are all zero weighs each fixation 1 in the window of its
    start. An empty window's map is all zeros.
    """
    rows, cols = check_grid(grid)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    s = len(paths)
    heat = np.zeros((s * k, rows * cols))
    if len(paths.t_start) == 0:
        return heat.reshape(s, k, -1)
    owner = paths.owner
    t_start, t_end = paths.t_start, paths.t_end
    nonempty = paths.lengths > 0
    starts = paths.offsets[:-1][nonempty]
    first, last = np.zeros(s), np.zeros(s)
    first[nonempty] = np.minimum.reduceat(t_start, starts)
    last[nonempty] = np.maximum.reduceat(t_end, starts)
    span = last - first
    per_second = np.divide(k, span, out=np.zeros(s), where=span > 0)[owner]
    t0, t_span = first[owner], span[owner]

    def window_of(t: np.ndarray) -> np.ndarray:
        return np.clip(np.floor((t - t0) * per_second), 0, k - 1).astype(np.int64)

    def overlap(i: np.ndarray | slice, window: np.ndarray) -> np.ndarray:
        lo = t0[i] + t_span[i] * (window / k)
        hi = np.where(window == k - 1, last[owner[i]], t0[i] + t_span[i] * ((window + 1) / k))
        return np.maximum(np.minimum(t_end[i], hi) - np.maximum(t_start[i], lo), 0.0)

    sigma = paths.pixels_per_degree[owner]
    x_band = _axis_mass(paths.x, paths.width[owner], cols, sigma)
    y_band = _axis_mass(paths.y, paths.height[owner], rows, sigma)
    window = window_of(t_start)
    total = np.bincount(owner, weights=t_end - t_start, minlength=s)
    point = total[owner] == 0  # all-zero durations: unit weight in the window holding the start
    weight = np.where(point, 1.0, overlap(slice(None), window))
    _accumulate(heat, owner * k + window, weight, x_band, y_band, (rows, cols))
    extra = window_of(t_end) - window  # later windows a fixation reaches into
    crossing = np.flatnonzero(extra > 0)
    if len(crossing):
        fix = np.repeat(crossing, extra[crossing])
        later = np.arange(len(fix)) - np.repeat(np.cumsum(extra[crossing]) - extra[crossing], extra[crossing])
        win = window[fix] + 1 + later
        bands = [(b0[fix], mass[fix]) for b0, mass in (x_band, y_band)]
        _accumulate(heat, owner[fix] * k + win, overlap(fix, win), bands[0], bands[1], (rows, cols))
    return heat.reshape(s, k, -1)


def gaze_heatmap(fix: Fixations, image_size: tuple[float, float], grid: Grid) -> np.ndarray:
    """Duration-weighted 1-degree Gaussian heatmap pooled on the grid, (rows, cols) summing to 1.

    Off-image and NaN-time fixations are dropped; EmptyScanpath if none is left.
    """
    rows, cols = check_grid(grid)
    paths, n_nan, n_off = Scanpaths.pack([fix], [image_size]).usable()
    if len(paths.t_start) == 0:
        raise EmptyScanpath(
            f"no usable fixation among {len(fix)} ({int(n_off[0])} off the image, {int(n_nan[0])} with NaN times)"
        )
    heat = window_heatmaps(paths, grid, 1)[0, 0]
    return (heat / heat.sum()).reshape(rows, cols)


def pixel_heatmap(fix: Fixations, image_size: tuple[float, float], out_size: tuple[int, int]) -> np.ndarray:
    """The same heatmap at pixel resolution of an image resized to out_size = (width, height): (height, width)."""
    width, height = out_size
    return gaze_heatmap(fix, image_size, (height, width))


def fixation_counts(fix: Fixations, image_size: tuple[float, float], grid: Grid) -> np.ndarray:
    """Number of on-image fixations in each cell, (rows, cols) int64: the fixation map for NSS and AUC-Judd.

    For a pixel map pass grid = (height, width) of the resized image.
    """
    rows, cols = check_grid(grid)
    keep = np.isfinite(fix.t_start) & np.isfinite(fix.t_end)
    cells = cell_index(fix.x[keep], fix.y[keep], image_size, grid)
    return np.bincount(cells[cells >= 0], minlength=rows * cols).reshape(rows, cols)
