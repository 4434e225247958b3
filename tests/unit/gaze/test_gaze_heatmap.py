"""Gaze heatmaps: normalisation, peaks, exact cell integration, pixel maps and fixation counts."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.special import ndtr

from gazebench.gaze.heatmap import TRUNCATE, fixation_counts, gaze_heatmap, pixel_heatmap, window_heatmaps
from gazebench.gaze.scanpath import EmptyScanpath, Scanpaths
from gazebench.records import Fixations


def test_heatmap_sums_to_one_and_peaks_at_the_dense_cluster(fixations: Callable[..., Fixations]) -> None:
    rng = np.random.default_rng(0)
    cluster = [(i * 0.3, i * 0.3 + 0.25, 700 + rng.normal(0, 20), 2100 + rng.normal(0, 20)) for i in range(12)]
    scattered = [(4 + i * 0.3, 4 + i * 0.3 + 0.25, *rng.uniform(0, 2500, 2)) for i in range(6)]
    heat = gaze_heatmap(fixations(cluster + scattered, ppd=50.0), (2500, 3000), (16, 16))
    assert heat.shape == (16, 16) and heat.dtype == np.float64
    assert heat.sum() == pytest.approx(1.0, abs=1e-12)
    assert (heat >= 0).all()
    assert np.unravel_index(heat.argmax(), heat.shape) == (int(2100 * 16 / 3000), int(700 * 16 / 2500))


def test_heatmap_is_duration_weighted(fixations: Callable[..., Fixations]) -> None:
    heat = gaze_heatmap(fixations([(0, 3, 14.0, 14.0), (3, 4, 434.0, 434.0)], ppd=1.0), (448, 448), (16, 16))
    assert heat[0, 0] == pytest.approx(0.75, abs=1e-9)
    assert heat[15, 15] == pytest.approx(0.25, abs=1e-9)


def test_heatmap_equals_untruncated_gaussians_integrated_over_cells(fixations: Callable[..., Fixations]) -> None:
    rows = [(0, 0.4, 120.0, 80.0), (0.5, 0.6, 33.0, 250.0), (0.7, 1.5, 299.0, 1.0)]
    fix = fixations(rows, ppd=30.0)
    size, grid = (300, 260), (5, 7)
    expected = np.zeros(grid)
    for t0, t1, x, y in rows:
        mx = np.diff(ndtr((np.arange(8) * 300 / 7 - x) / 30.0))
        my = np.diff(ndtr((np.arange(6) * 260 / 5 - y) / 30.0))
        expected += (t1 - t0) * np.outer(my, mx)
    expected /= expected.sum()
    assert np.allclose(gaze_heatmap(fix, size, grid), expected, atol=2e-4)


def truncated_axis_mass(edges: np.ndarray, centre: float, sigma: float) -> np.ndarray:
    """Mass of a normal truncated at ±TRUNCATE sigma (renormalised) between consecutive edges."""
    z = (edges - centre) / sigma
    cdf = (ndtr(z) - ndtr(-TRUNCATE)) / (ndtr(TRUNCATE) - ndtr(-TRUNCATE))
    return np.diff(np.clip(cdf, 0.0, 1.0))


@pytest.mark.parametrize(("size", "cells", "x", "y"), [(200, 200, 50.3, 60.7), (100, 16, 10.3, 91.1)])
def test_gaussians_are_cut_exactly_at_four_sigma(
    fixations: Callable[..., Fixations], size: int, cells: int, x: float, y: float
) -> None:
    # sigma 10 px: a cell is zero iff it lies wholly beyond x ± 40 or y ± 40 (the second case sits near a border,
    # where the band of cells computed reaches far past the cut)
    heat = gaze_heatmap(fixations([(0, 1, x, y)], ppd=10.0), (size, size), (cells, cells))
    edges = np.arange(cells + 1) * (size / cells)
    beyond_x = (edges[1:] <= x - 40) | (edges[:-1] >= x + 40)
    beyond_y = (edges[1:] <= y - 40) | (edges[:-1] >= y + 40)
    beyond = beyond_y[:, None] | beyond_x[None, :]
    assert (heat[beyond] == 0).all() and (heat[~beyond] > 0).all()
    assert heat.sum() == pytest.approx(1.0, abs=1e-12)
    expected = np.outer(truncated_axis_mass(edges, y, 10.0), truncated_axis_mass(edges, x, 10.0))
    assert np.abs(heat - expected / expected.sum()).max() < 1e-7


def test_cut_is_exact_in_a_batch_with_wider_gaussians_and_maps_do_not_depend_on_the_batch() -> None:
    # the computation band is sized for the widest Gaussian (ppd 60); the narrow one (ppd 3) stays cut at 12 px
    size, grid = (256, 256), (64, 64)
    narrow = Fixations(np.array([0.0, 1.0]), np.array([1.0, 1.5]), np.array([100.5, 30.0]), np.array([77.0, 200.2]),
                       3.0)
    wide = Fixations(np.array([0.0]), np.array([2.0]), np.array([128.0]), np.array([128.0]), 60.0)
    both = window_heatmaps(Scanpaths.pack([wide, narrow], [size, size]), grid, 1)[:, 0].reshape(2, 64, 64)
    alone = window_heatmaps(Scanpaths.pack([narrow], [size]), grid, 1)[0, 0].reshape(64, 64)
    assert np.array_equal(both[1], alone)
    edges = np.arange(65.0) * 4  # cell edges in image pixels
    reach = np.zeros((64, 64), dtype=bool)
    for cx, cy in zip(narrow.x, narrow.y, strict=True):
        near_x = (edges[1:] > cx - 12) & (edges[:-1] < cx + 12)
        near_y = (edges[1:] > cy - 12) & (edges[:-1] < cy + 12)
        reach |= near_y[:, None] & near_x[None, :]
    assert (both[1][~reach] == 0).all() and (both[1][reach] > 0).all()
    assert both[1].sum() == pytest.approx(1.0, abs=1e-7)  # all mass on the image; weights in units of the window


def test_fixation_on_a_cell_corner_spreads_evenly(fixations: Callable[..., Fixations]) -> None:
    heat = gaze_heatmap(fixations([(0, 1, 56.0, 84.0)], ppd=6.0), (448, 448), (16, 16))
    block = heat[2:4, 1:3]
    assert np.allclose(block, 0.25, atol=1e-6)


def test_pixel_heatmap_pools_to_the_grid_heatmap(fixations: Callable[..., Fixations]) -> None:
    rng = np.random.default_rng(1)
    rows = [(i, i + rng.uniform(0.1, 0.5), *rng.uniform(0, 1000, 2)) for i in range(8)]
    fix = fixations(rows, ppd=40.0)
    pixels = pixel_heatmap(fix, (1000, 1000), (224, 224))
    assert pixels.shape == (224, 224)
    assert pixels.sum() == pytest.approx(1.0)
    pooled = pixels.reshape(8, 28, 8, 28).sum(axis=(1, 3))
    assert np.allclose(pooled, gaze_heatmap(fix, (1000, 1000), (8, 8)), atol=2e-4)


def test_pixel_heatmap_is_height_by_width(fixations: Callable[..., Fixations]) -> None:
    assert pixel_heatmap(fixations([(0, 1, 10.0, 10.0)]), (100, 100), (40, 30)).shape == (30, 40)


def test_empty_heatmap_raises(fixations: Callable[..., Fixations]) -> None:
    with pytest.raises(EmptyScanpath):
        gaze_heatmap(fixations([(0, 1, -1.0, 5.0)]), (448, 448), (16, 16))


def test_fixation_counts(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([(0, 1, 14.0, 14.0), (1, 2, 20.0, 3.0), (2, 3, 440.0, 14.0), (np.nan, 4, 14.0, 14.0),
                     (4, 5, 500.0, 14.0)])
    counts = fixation_counts(fix, (448, 448), (16, 16))
    assert counts.sum() == 3 and counts[0, 0] == 2 and counts[0, 15] == 1
