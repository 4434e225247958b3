"""Fixations → gaze regions in time order: dwell-weighted DBSCAN, noise and off-image fixations counted."""
from __future__ import annotations

import numpy as np
import pytest

from gazebench.gaze.clusters import cluster_fixations
from gazebench.records import Fixations


def _fixations(xy: list[tuple[float, float]], duration: float = 0.25, ppd: float = 20.0) -> Fixations:
    t = np.arange(len(xy), dtype=float) * 0.3
    x, y = (np.asarray(v, dtype=float) for v in zip(*xy, strict=True))
    return Fixations(t, t + duration, x, y, pixels_per_degree=ppd)


def test_regions_ordered_by_time_with_weighted_centroids() -> None:
    # eps = 3 deg * 20 px = 60 px; min dwell 0.3 s: two 0.25 s fixations make a core
    xy = [(500, 500), (510, 500), (100, 100), (104, 100), (108, 106), (900, 100)]
    r = cluster_fixations(_fixations(xy), (1000, 1000))
    assert len(r.regions) == 2 and r.n_noise == 1  # the lone (900, 100) glance is noise
    first, second = r.regions
    assert (first.x, first.y) == pytest.approx((505, 500)) and first.n_fixations == 2
    assert (second.x, second.y) == pytest.approx((104, 102)) and second.box == (100, 100, 108, 106)
    assert first.t < second.t and second.dwell_s == pytest.approx(0.75)
    assert r.centroids.shape == (2, 2)


def test_off_image_bad_time_and_window_are_counted_or_applied() -> None:
    f = _fixations([(10, 10), (12, 10), (-5, 10), (10, 2000), (400, 400), (402, 400)])
    t_start = f.t_start.copy()
    t_start[4] = np.nan
    f = Fixations(t_start, f.t_end, f.x, f.y, pixels_per_degree=20.0)
    r = cluster_fixations(f, (1000, 1000))
    assert (r.n_off_image, r.n_bad_time) == (2, 1) and len(r.regions) == 1  # (402, 400) alone: too little dwell
    w = cluster_fixations(_fixations([(10, 10), (12, 10), (400, 400), (402, 400)]), (1000, 1000), window=(0.8, 2.0))
    assert len(w.regions) == 1 and w.regions[0].x == pytest.approx(401)
    assert cluster_fixations(Fixations.empty(), (10, 10)).regions == ()
