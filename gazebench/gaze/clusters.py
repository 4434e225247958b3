"""A reading's fixations grouped into gaze regions ordered by time: GazeX's DBSCAN clustering of raw gaze
samples (Lee et al., GazeX), adapted to fixations; docs/gazex_track.md explains the adaptation.

DBSCAN (Ester et al. 1996) runs on fixation positions with each fixation weighted by its duration, so a
region needs `min_dwell_s` seconds of gaze within `eps_degrees` of visual angle (GazeX's 1000 Hz samples
weight dwell time implicitly by their count). Fixations DBSCAN leaves as noise, fixations off the image
and fixations with a non-finite time are dropped and counted. A region's time is the duration-weighted
mean fixation midpoint; its centroid the duration-weighted mean position; its box the extent of its
fixations.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gazebench.records import Fixations

EPS_DEGREES = 3.0
"""Neighbourhood radius: about the support of GazeX's 1.5-degree splats thresholded at 10 % (≈ 3.2 degrees)."""
MIN_DWELL_S = 0.3
"""Gaze time a core region needs inside one neighbourhood (about one long or two short fixations)."""


@dataclass(frozen=True)
class GazeRegion:
    """One cluster of fixations, in original-image pixels."""

    x: float
    """Duration-weighted centroid column."""
    y: float
    box: tuple[float, float, float, float]
    """(xmin, ymin, xmax, ymax) extent of the region's fixations."""
    t: float
    """Duration-weighted mean fixation midpoint, seconds; regions are ordered by it."""
    dwell_s: float
    n_fixations: int


@dataclass(frozen=True)
class GazeRegions:
    """A reading's regions in time order, and how many fixations were left out and why."""

    regions: tuple[GazeRegion, ...]
    n_noise: int
    """Fixations DBSCAN labelled noise."""
    n_off_image: int
    n_bad_time: int

    @property
    def centroids(self) -> np.ndarray:
        """(R, 2) region centroids (x, y) in time order."""
        return np.asarray([(r.x, r.y) for r in self.regions], dtype=np.float64).reshape(-1, 2)


def cluster_fixations(
    fixations: Fixations,
    image_size: tuple[float, float],
    window: tuple[float, float] | None = None,
    eps_degrees: float = EPS_DEGREES,
    min_dwell_s: float = MIN_DWELL_S,
) -> GazeRegions:
    """Regions of the fixations (optionally only those overlapping the time `window`), ordered by time."""
    if eps_degrees <= 0 or min_dwell_s <= 0:
        raise ValueError("eps_degrees and min_dwell_s must be positive")
    t0, t1 = np.asarray(fixations.t_start, dtype=np.float64), np.asarray(fixations.t_end, dtype=np.float64)
    x, y = np.asarray(fixations.x, dtype=np.float64), np.asarray(fixations.y, dtype=np.float64)
    good_time = np.isfinite(t0) & np.isfinite(t1)
    with np.errstate(invalid="ignore"):
        on_image = (x >= 0) & (y >= 0) & (x < image_size[0]) & (y < image_size[1])
    keep = good_time & on_image
    if window is not None:
        keep &= (t1 >= window[0]) & (t0 <= window[1])
    t0, t1, x, y = t0[keep], t1[keep], x[keep], y[keep]
    duration = np.maximum(t1 - t0, 0.0)
    n_off, n_bad = int((good_time & ~on_image).sum()), int((~good_time).sum())
    if len(x) == 0:
        return GazeRegions((), 0, n_off, n_bad)
    from sklearn.cluster import DBSCAN  # here: sklearn takes ~0.5 s to import, and scoring other kinds needs none

    # DBSCAN wants an integer min_samples: weigh fixations in milliseconds
    labels = DBSCAN(eps=eps_degrees * fixations.pixels_per_degree, min_samples=max(1, round(min_dwell_s * 1000))).fit(
        np.column_stack([x, y]), sample_weight=duration * 1000
    ).labels_
    regions = []
    for label in np.unique(labels[labels >= 0]):
        m = labels == label
        w = duration[m] if duration[m].sum() > 0 else np.ones(int(m.sum()))
        regions.append(GazeRegion(
            x=float(np.average(x[m], weights=w)), y=float(np.average(y[m], weights=w)),
            box=(float(x[m].min()), float(y[m].min()), float(x[m].max()), float(y[m].max())),
            t=float(np.average((t0[m] + t1[m]) / 2, weights=w)), dwell_s=float(duration[m].sum()),
            n_fixations=int(m.sum()),
        ))
    return GazeRegions(tuple(sorted(regions, key=lambda r: r.t)), int((labels < 0).sum()), n_off, n_bad)
