"""Duration-weighted Gaussian gaze heatmaps (sigma = 1 degree), integrated exactly over grid cells.

Each fixation's Gaussian is truncated at ±TRUNCATE sigma and renormalised (a truncated normal): cells wholly
beyond the cut hold exactly zero. It is separable, so its mass in cell (r, c) is the product of two 1-D
differences of the truncated CDF at the cell edges, read from a lookup table (error < 1e-7); mass falling off
the image is lost, as in REFLACX's pixel heatmaps. A pixel heatmap is the same thing on a one-cell-per-pixel grid.
"""
from __future__ import annotations

import math

import numpy as np

from gazebench.gaze.grid import Grid, cell_index, check_grid
from gazebench.gaze.scanpath import EmptyScanpath, Scanpaths
from gazebench.records import Fixations

TRUNCATE = 4.0
"""Each Gaussian is cut at ±TRUNCATE sigma (and renormalised): zero mass beyond."""
_STEPS = 8192
"""Intervals of the CDF table over [-TRUNCATE, TRUNCATE]: linear interpolation error < 3e-8."""


_CDF_TABLES: dict[int, tuple[np.ndarray, np.ndarray]] = {}
"""`_cdf_table`'s tables by step count: constants of the Gaussian, no data (an explicit dict, not an lru_cache,
so the predict-contract probe sees what it holds)."""


def _cdf_table(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Truncated normal CDF at steps + 1 equally spaced points of [-TRUNCATE, TRUNCATE], and each step's rise.

    F(0) is exactly 1/2, so a point on a cell edge splits its mass evenly between the two cells; the last rise
    is 0, so the table can be read at its right end without padding. Built on first use (scipy.special takes
    ~0.3 s to import, and every model that imports the gaze targets would pay it).
    """
    if steps not in _CDF_TABLES:
        from scipy.special import ndtr

        z = np.linspace(-TRUNCATE, TRUNCATE, steps + 1)
        cdf = (ndtr(z) - ndtr(-TRUNCATE)) / (ndtr(TRUNCATE) - ndtr(-TRUNCATE))
        cdf[0], cdf[steps // 2], cdf[-1] = 0.0, 0.5, 1.0
        cdf.flags.writeable = False
        rise = np.append(np.diff(cdf), 0.0)
        rise.flags.writeable = False
        _CDF_TABLES[steps] = (cdf, rise)
    return _CDF_TABLES[steps]


def _axis_mass(pos: np.ndarray, extent: np.ndarray, ncell: int, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-D truncated-Gaussian mass of each point in a band of consecutive cells along one axis.

    Returns (first cell (p,), mass (band, p)); the band is the same width for all points, lies inside the grid
    and covers ±TRUNCATE sigma around each point, so no mass lies outside it. A cell's mass depends only on the
    point, not on the band (edge - pos is exact from first - pos), so batches of any make-up agree bit for bit.
    """
    per_pixel = ncell / extent
    sigma_cells = sigma * per_pixel
    band = min(ncell, math.ceil(2 * TRUNCATE * float(np.max(sigma_cells, initial=0.0))) + 1)
    pos_cells = pos * per_pixel
    first = np.clip(np.floor(pos_cells - TRUNCATE * sigma_cells), 0, ncell - band)
    u = (first - pos_cells) + np.arange(band + 1.0)[:, None]  # band edges minus the point, in cells
    u *= (_STEPS / (2 * TRUNCATE)) / sigma_cells  # -> table position
    u += _STEPS / 2
    np.clip(u, 0, _STEPS, out=u)
    step = u.astype(np.intp)
    u -= step
    cdf, rise = _cdf_table(_STEPS)
    u *= np.take(rise, step)
    u += np.take(cdf, step)
    return first.astype(np.int64), np.diff(u, axis=0)


def _accumulate(
    segment: np.ndarray,
    weight: np.ndarray,
    x_band: tuple[np.ndarray, np.ndarray],
    y_band: tuple[np.ndarray, np.ndarray],
    n_segments: int,
    grid: Grid,
) -> np.ndarray:
    """Sum of weight · (y mass ⊗ x mass) over the points of each segment: (n_segments·rows, cols).

    A scatter-add done as one sparse product: (segment row × point) weighted y masses times the dense
    (point × column) x masses; each point adds to its rows in point order, whatever the batch.
    """
    from scipy.sparse import csc_array  # here: scipy.sparse takes ~0.3 s to import, and models import this module

    rows, cols = grid
    (col0, mass_x), (row0, mass_y) = x_band, y_band
    points = len(segment)
    dense_x = np.zeros((points, cols))
    dense_x.ravel()[(np.arange(0, points * cols, cols) + col0) + np.arange(len(mass_x))[:, None]] = mass_x
    band = len(mass_y)
    index = np.int32 if max(n_segments * rows, points * band) < np.iinfo(np.int32).max else np.int64
    data = (mass_y * weight).T.ravel()  # point-major: column p of the sparse matrix
    rows_of = ((segment * rows + row0).astype(index) + np.arange(band, dtype=index)[:, None]).T.ravel()
    starts = np.arange(0, points * band + 1, band, dtype=index)
    return csc_array((data, rows_of, starts), (n_segments * rows, points)) @ dense_x


def window_heatmaps(paths: Scanpaths, grid: Grid, k: int) -> np.ndarray:
    """Heatmap of each of k equal time windows of each scanpath: (S, k, rows·cols), unnormalised.

    `paths` must hold usable fixations only (Scanpaths.usable). Window w of a scanpath spans
    [t0 + w·T/k, t0 + (w+1)·T/k] of its [first start t0, last end t0 + T]; a fixation weighs the part of its
    duration inside the window, in units of T/k. A scanpath whose durations are all zero weighs each fixation 1
    in the window of its start. An empty window's map is all zeros.
    """
    rows, cols = check_grid(grid)
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    s = len(paths)
    if len(paths.t_start) == 0:
        return np.zeros((s, k, rows * cols))
    nonempty = paths.lengths > 0
    starts, counts = paths.offsets[:-1][nonempty], paths.lengths[nonempty]

    def per_fixation(values: np.ndarray) -> np.ndarray:
        """A value of each non-empty scanpath, repeated over its fixations."""
        return np.repeat(values, counts)

    t_start, t_end = paths.t_start, paths.t_end
    t0 = np.minimum.reduceat(t_start, starts)
    span = np.maximum.reduceat(t_end, starts) - t0
    scale = per_fixation(np.divide(k, span, out=np.zeros(len(span)), where=span > 0))
    begin = (t_start - per_fixation(t0)) * scale  # the fixation in window units: window w is [w, w + 1]
    end = (t_end - per_fixation(t0)) * scale
    window = np.minimum(begin.astype(np.int64), k - 1)  # begin >= 0: truncation is floor

    def weight_in(win: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Length of [lo, hi] inside window win; the last window reaches to the scanpath's end."""
        cap = np.where(win == k - 1, np.inf, win + 1.0)
        return np.maximum(np.minimum(hi, cap) - np.maximum(lo, win), 0.0)

    point = per_fixation(np.add.reduceat(t_end - t_start, starts) == 0)  # unit weight in the window of the start
    weight = np.where(point, 1.0, weight_in(window, begin, end))
    segment = per_fixation(np.flatnonzero(nonempty) * k) + window
    x, y = paths.x, paths.y
    width, height = per_fixation(paths.width[nonempty]), per_fixation(paths.height[nonempty])
    sigma = per_fixation(paths.pixels_per_degree[nonempty])
    extra = np.minimum(end.astype(np.int64), k - 1) - window
    crossing = np.flatnonzero(extra > 0)
    if len(crossing):  # a fixation reaching into later windows adds a copy of itself to each, weighted by overlap
        fix = np.repeat(crossing, extra[crossing])
        later = np.arange(len(fix)) - np.repeat(np.cumsum(extra[crossing]) - extra[crossing], extra[crossing])
        win = window[fix] + 1 + later
        weight = np.concatenate([weight, weight_in(win, begin[fix], end[fix])])
        segment = np.concatenate([segment, segment[fix] + (win - window[fix])])
        x, y, width, height, sigma = (np.concatenate([a, a[fix]]) for a in (x, y, width, height, sigma))
    x_band = _axis_mass(x, width, cols, sigma)
    y_band = _axis_mass(y, height, rows, sigma)
    return _accumulate(segment, weight, x_band, y_band, s * k, (rows, cols)).reshape(s, k, -1)


def gaze_heatmap(fix: Fixations, image_size: tuple[float, float], grid: Grid) -> np.ndarray:
    """Duration-weighted 1-degree Gaussian heatmap pooled on the grid, (rows, cols) summing to 1.

    Normalised over the mass that falls on the image. Off-image and NaN-time fixations are dropped;
    EmptyScanpath if none is left.
    """
    rows, cols = check_grid(grid)
    paths, n_nan, n_off = Scanpaths.pack([fix], [image_size]).usable()
    if len(paths.t_start) == 0:
        raise EmptyScanpath(
            f"no usable fixation among {len(fix)} ({int(n_off[0])} off the image, {int(n_nan[0])} with NaN times)"
        )
    heat = window_heatmaps(paths, grid, 1)[0, 0]
    return (heat / heat.sum()).reshape(rows, cols)


def points_heatmap(points: np.ndarray, image_size: tuple[float, float], grid: Grid,
                   pixels_per_degree: float) -> np.ndarray:
    """A predicted scanpath (K, 2) as a saliency map: each point a fixation of equal weight, the same 1-degree
    Gaussians as `gaze_heatmap`; EmptyScanpath when no point lies on the image."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    k = np.arange(len(pts), dtype=np.float64)
    return gaze_heatmap(Fixations(k, k + 1.0, pts[:, 0], pts[:, 1], pixels_per_degree), image_size, grid)


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
