"""Checks on the arrays every metric takes, so a bad target, score or threshold array stops with a
one-line error instead of turning into a silently wrong number."""
from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from gazebench.errors import GazebenchError


class MetricInputError(GazebenchError, ValueError):
    """Targets, scores, thresholds or cluster ids that the metrics cannot be computed on."""


def _first_bad(bad: np.ndarray) -> str:
    """`row r, column c` (0-based) of the first True entry of a 2-D mask."""
    r, c = np.argwhere(bad)[0]
    return f"row {r}, column {c} (0-based)"


def as_2d(a: object, what: str) -> np.ndarray:
    """`a` as a float64 (N, L) array; a 1-D array is one label, (N, 1)."""
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise MetricInputError(f"{what} must be a 1-D or 2-D array, got shape {arr.shape}")
    return arr


def check_targets(y: object) -> np.ndarray:
    """Targets as (N, L) float64 holding only 0, 1 and NaN (= masked)."""
    arr = as_2d(y, "targets")
    bad = ~(np.isnan(arr) | (arr == 0.0) | (arr == 1.0))
    if bad.any():
        raise MetricInputError(f"targets must be 0, 1 or NaN (masked); found {float(arr[bad][0])} at {_first_bad(bad)}")
    return arr


def check_scores(p: object, shape: tuple[int, ...], what: str = "scores") -> np.ndarray:
    """Scores as (N, L) float64, finite and in [0, 1], with the targets' shape."""
    arr = as_2d(p, what)
    if arr.shape != shape:
        raise MetricInputError(f"{what} have shape {arr.shape} but the targets have shape {shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise MetricInputError(f"{what} must be finite; found {float(arr[bad][0])} at {_first_bad(bad)}")
    bad = (arr < 0.0) | (arr > 1.0)
    if bad.any():
        raise MetricInputError(f"{what} must lie in [0, 1]; found {float(arr[bad][0])} at {_first_bad(bad)}")
    return arr


def check_thresholds(t: object, n_labels: int, what: str = "thresholds") -> np.ndarray:
    """Per-label thresholds as an (L,) float64 array in [0, 1]; a scalar applies to every label."""
    arr = np.asarray(t, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_labels, float(arr))
    if arr.shape != (n_labels,):
        raise MetricInputError(f"{what} must have shape ({n_labels},), got {arr.shape}")
    if not (np.isfinite(arr) & (arr >= 0.0) & (arr <= 1.0)).all():
        raise MetricInputError(f"{what} must be finite and in [0, 1], got {arr.tolist()}")
    return arr


def cluster_codes(clusters: Sequence[Hashable] | np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Map N hashable cluster ids (e.g. patient ids) to codes 0..C-1 in order of first appearance."""
    ids = list(np.asarray(clusters, dtype=object).ravel()) if isinstance(clusters, np.ndarray) else list(clusters)
    if len(ids) != n:
        raise MetricInputError(f"clusters has {len(ids)} ids but there are {n} rows of targets")
    seen: dict[Hashable, int] = {}
    try:
        codes = np.fromiter((seen.setdefault(c, len(seen)) for c in ids), dtype=np.int64, count=n)
    except TypeError as err:
        raise MetricInputError(f"cluster ids must be hashable: {err}") from None
    return codes, len(seen)
