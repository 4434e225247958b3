"""Cluster bootstrap confidence intervals and paired bootstrap tests for the macro metrics.

Whole clusters (patients) are drawn with replacement, so all images of a patient move together.
A replicate is a row of per-image draw counts, which lets every metric be computed for a chunk of
replicates at once (see `weighted`). A label with one class in a replicate drops out of that
replicate's macro; a replicate where no label is evaluable is dropped and counted.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gazebench.metrics.classification import json_float
from gazebench.metrics.inputs import MetricInputError, cluster_codes
from gazebench.metrics.power import minimum_detectable_difference
from gazebench.metrics.vocabulary import metric_names
from gazebench.metrics.weighted import Scored, check_stats, macro_stats, prepare

MACRO_STATS = metric_names("classification")
"""The classification metrics every table shows (declared once in gazebench.metrics.vocabulary)."""
CHUNK_CELLS = 1 << 21
"""Replicates are processed in chunks of about this many (replicate, image) weights (16 MiB float64)."""


def _check_n_boot(n_boot: int) -> None:
    if int(n_boot) != n_boot or n_boot < 1:
        raise MetricInputError(f"n_boot must be a positive integer, got {n_boot!r}")


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise MetricInputError(f"level must lie strictly between 0 and 1, got {level!r}")


def weight_chunks(codes: np.ndarray, n_clusters: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Yield (b, N) float64 draw counts per image, n_boot rows in all, resampling clusters with replacement."""
    rng = np.random.default_rng(seed)
    per_chunk = max(1, CHUNK_CELLS // max(codes.size, n_clusters, 1))
    for start in range(0, n_boot, per_chunk):
        b = min(per_chunk, n_boot - start)
        draws = rng.integers(0, n_clusters, size=(b, n_clusters))
        flat = (draws + np.arange(b)[:, None] * n_clusters).ravel()
        counts = np.bincount(flat, minlength=b * n_clusters).reshape(b, n_clusters)
        yield counts[:, codes].astype(np.float64)


def resample_indices(clusters: Sequence[Hashable] | np.ndarray, n_boot: int, seed: int = 0) -> list[np.ndarray]:
    """The image indices of each replicate (the rows every bootstrap here uses), for inspection and tests."""
    codes, n_clusters = cluster_codes(clusters, len(clusters))
    rows = np.arange(codes.size)
    chunks = weight_chunks(codes, n_clusters, n_boot, seed)
    return [np.repeat(rows, w.astype(np.int64)) for chunk in chunks for w in chunk]


def _replicates(
    models: Sequence[Scored], clusters: Sequence[Hashable] | np.ndarray, n_boot: int, seed: int, stats: tuple[str, ...]
) -> list[dict[str, np.ndarray]]:
    """Per model, each statistic's n_boot replicate values (NaN where not evaluable), on shared draws."""
    codes, n_clusters = cluster_codes(clusters, models[0].y.shape[0])
    parts: list[list[dict[str, np.ndarray]]] = [[] for _ in models]
    for w in weight_chunks(codes, n_clusters, n_boot, seed):
        for part, s in zip(parts, models, strict=True):
            part.append(macro_stats(s, w, stats))
    return [{k: np.concatenate([c[k] for c in part]) for k in stats} for part in parts]


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of the finite values; (NaN, NaN) if there are none."""
    v = values[~np.isnan(values)]
    if v.size == 0:
        return (float("nan"), float("nan"))
    lo, hi = np.percentile(v, [50 * (1 - level), 50 * (1 + level)])
    return (float(lo), float(hi))


@dataclass(frozen=True, eq=False)
class BootstrapDistribution:
    """The replicate values of each macro statistic (NaN = dropped: no label was evaluable)."""

    values: dict[str, np.ndarray]
    n_boot: int

    @property
    def n_dropped(self) -> dict[str, int]:
        return {k: int(np.isnan(v).sum()) for k, v in self.values.items()}

    def ci(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Percentile interval of each statistic over the replicates that were kept."""
        _check_level(level)
        return {k: _percentiles(v, level) for k, v in self.values.items()}


def bootstrap_distribution(
    y: object,
    p: object,
    thresholds: object,
    clusters: Sequence[Hashable] | np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    stats: Sequence[str] = MACRO_STATS,
) -> BootstrapDistribution:
    """Resample clusters n_boot times and compute each macro statistic on every replicate."""
    _check_n_boot(n_boot)
    names = check_stats(stats)
    (values,) = _replicates([prepare(y, p, thresholds)], clusters, n_boot, seed, names)
    return BootstrapDistribution(values=values, n_boot=n_boot)


def bootstrap_ci(
    y: object,
    p: object,
    thresholds: object,
    clusters: Sequence[Hashable] | np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    stats: Sequence[str] = MACRO_STATS,
) -> dict[str, tuple[float, float]]:
    """Percentile CI of each macro statistic from a cluster bootstrap (use bootstrap_distribution for drop counts)."""
    _check_level(level)
    return bootstrap_distribution(y, p, thresholds, clusters, n_boot, seed, stats).ci(level)


def paired_bootstrap(
    y: object,
    p_a: object,
    p_b: object,
    thresholds_a: object,
    thresholds_b: object,
    clusters: Sequence[Hashable] | np.ndarray,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    stats: Sequence[str] = MACRO_STATS,
) -> dict[str, dict[str, Any]]:
    """Per statistic (JSON-ready, None where not evaluable): diff (b − a) on all data, its percentile CI,
    a two-sided bootstrap p-value, how many replicates were dropped, the replicates' sd and the minimum
    detectable difference at 80% power it implies (see `power`).

    Both models are scored on the same resampled clusters. The p-value is twice the share of kept
    replicates whose difference lies on the other side of 0 from the observed one (or on 0), capped
    at 1; an observed difference of exactly 0 has p = 1.
    """
    _check_n_boot(n_boot)
    _check_level(level)
    names = check_stats(stats)
    a = prepare(y, p_a, thresholds_a, "scores of model a")
    b = prepare(a.y, p_b, thresholds_b, "scores of model b")
    ones = np.ones((1, a.y.shape[0]))
    point_a, point_b = macro_stats(a, ones, names), macro_stats(b, ones, names)
    rep_a, rep_b = _replicates([a, b], clusters, n_boot, seed, names)
    out: dict[str, dict[str, Any]] = {}
    for k in names:
        diff = float(point_b[k][0] - point_a[k][0])
        d = rep_b[k] - rep_a[k]
        d = d[~np.isnan(d)]
        if d.size == 0 or np.isnan(diff):
            p_value = float("nan")
        elif diff == 0.0:
            p_value = 1.0
        else:
            other_side = (d <= 0).mean() if diff > 0 else (d >= 0).mean()
            p_value = float(min(1.0, 2.0 * other_side))
        lo, hi = _percentiles(d, level)
        sd = float(np.std(d, ddof=1)) if d.size > 1 else float("nan")
        out[k] = {
            "diff": json_float(diff),
            "ci": (json_float(lo), json_float(hi)),
            "p_value": json_float(p_value),
            "n_dropped": n_boot - int(d.size),
            "sd": json_float(sd),
            "mdd": json_float(minimum_detectable_difference(sd, level)),
        }
    return out
