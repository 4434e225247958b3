"""Patient-bootstrap CIs and paired comparisons for any metric family whose metrics are functions of item
weights (ItemScores.statistic): the same cluster draws as the classification bootstrap (one replicate = one
row of per-item draw counts), so BLEU and CIDEr are resampled through their per-item statistics."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gazebench.comparison import PairedMetric
from gazebench.metrics.bootstrap import weight_chunks
from gazebench.metrics.classification import json_float
from gazebench.metrics.inputs import cluster_codes
from gazebench.metrics.power import minimum_detectable_difference
from gazebench.results import MetricValue

if TYPE_CHECKING:
    from gazebench.engine.kinds.base import ItemScores


def replicates(scores: list[ItemScores], names: tuple[str, ...], n_boot: int, seed: int) -> list[dict[str, np.ndarray]]:
    """Per model, each metric's n_boot replicate values on shared patient draws (NaN where undefined)."""
    codes, n_clusters = cluster_codes(scores[0].clusters, len(scores[0].clusters))
    out: list[dict[str, list[float]]] = [{k: [] for k in names} for _ in scores]
    for chunk in weight_chunks(codes, n_clusters, n_boot, seed):
        for w in chunk:
            for part, s in zip(out, scores, strict=True):
                values = s.statistic(w)
                for k in names:
                    part[k].append(values.get(k, float("nan")))
    return [{k: np.asarray(v, dtype=np.float64) for k, v in part.items()} for part in out]


def _interval(values: np.ndarray, level: float) -> list[float | None]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return [None, None]
    lo, hi = np.percentile(v, [50 * (1 - level), 50 * (1 + level)])
    return [float(lo), float(hi)]


def metric_block(scores: ItemScores, names: tuple[str, ...], n_boot: int, seed: int,
                 level: float) -> dict[str, MetricValue]:
    """{metric: value with its patient-bootstrap percentile CI} (None where undefined)."""
    point = scores.statistic(np.ones(len(scores.clusters)))
    (reps,) = replicates([scores], names, n_boot, seed)
    return {k: MetricValue.of(point.get(k, float("nan")), _interval(reps[k], level)) for k in names}


def paired_block(a: ItemScores, b: ItemScores, names: tuple[str, ...], n_boot: int, seed: int,
                 level: float) -> dict[str, PairedMetric]:
    """Per metric: A, B, B − A with its paired-bootstrap CI, two-sided p-value, sd, minimum detectable
    difference and verdict (the conventions of gazebench.metrics.bootstrap.paired_bootstrap)."""
    ones = np.ones(len(a.clusters))
    pa, pb = a.statistic(ones), b.statistic(ones)
    ra, rb = replicates([a, b], names, n_boot, seed)
    out: dict[str, PairedMetric] = {}
    for k in names:
        va, vb = pa.get(k, float("nan")), pb.get(k, float("nan"))
        diff = vb - va
        d = rb[k] - ra[k]
        d = d[np.isfinite(d)]
        if d.size == 0 or not np.isfinite(diff):
            p_value = float("nan")
        elif diff == 0.0:
            p_value = 1.0
        else:
            p_value = float(min(1.0, 2.0 * ((d <= 0).mean() if diff > 0 else (d >= 0).mean())))
        sd = float(np.std(d, ddof=1)) if d.size > 1 else float("nan")
        out[k] = PairedMetric.of(json_float(va), json_float(vb), json_float(diff), _interval(d, level),
                                 json_float(p_value), json_float(sd),
                                 json_float(minimum_detectable_difference(sd, level)))
    return out
