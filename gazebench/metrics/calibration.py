"""Calibration of predicted probabilities: expected calibration error (ECE) and Brier score per label and
macro, under per-image weights so the point estimate and its patient-bootstrap CI share one definition.

ECE (Naeini, Cooper & Hauskrecht, AAAI 2015; as used by Guo et al., ICML 2017) with B equal-width bins
over [0, 1] (bin b holds scores in [b/B, (b+1)/B), the last bin also holds 1.0):

    ECE = Σ_b (n_b / n) · |mean(y in b) − mean(p in b)| = (1/n) Σ_b |Σ_{i in b} (y_i − p_i)|

computed per label on its unmasked images (each label's probability is a binary forecast). Brier score
(Brier 1950) is the mean of (p − y)² on the same images. Both are lower-is-better; macro = mean over the
labels with at least one unmasked image. Weights w_i (bootstrap draw counts) replace the counts n.
Binned ECE is biased upward, more so on fewer images (Kumar, Liang & Ma, NeurIPS 2019), so a bootstrap
replicate tends to score higher than the full set and the plain percentile CI can lie above the point estimate
(a viewer once showed ECE 7.5 with CI [8.3, 12.3]). BCa does not repair that case: with bias correction z0 and
no acceleration its percentiles are Φ(2·z0 ± z), which contain the point only when |z0| <= z, exactly when the
percentile CI already did. The CIs here are therefore median-bias-corrected percentile intervals: the
replicates are shifted by their median bias, median(θ*) − θ̂, before the percentiles are taken,

    CI = [q_lo − (median(θ*) − θ̂), q_hi − (median(θ*) − θ̂)],

an interval for what the plug-in statistic measures on a test set of this size, with the bootstrap's spread and
asymmetry. Because q_lo <= median(θ*) <= q_hi, the point always lies inside. The bias estimate
mean(θ*) − θ̂ is reported beside each statistic (`<stat>_bootstrap_bias`).
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np

from gazebench.metrics.bootstrap import weight_chunks
from gazebench.metrics.classification import json_float
from gazebench.metrics.inputs import MetricInputError, check_scores, check_targets, cluster_codes
from gazebench.metrics.weighted import nanmean_rows

ECE_BINS = 10
"""Equal-width bins of the reported ECE (Guo et al. 2017 use 15; 10 keeps bins populated on small test sets)."""
CALIBRATION_STATS = ("ece", "brier")
CI_METHOD = "patient bootstrap, percentile interval shifted by the replicates' median bias"


@dataclass(frozen=True, eq=False)
class Binned:
    """Targets and scores with each score's bin, validated once for every weight row."""

    y: np.ndarray
    p: np.ndarray
    bins: np.ndarray
    """(N, L) integer bin of each score, 0..n_bins-1."""
    n_bins: int


def binned(y: object, p: object, n_bins: int = ECE_BINS) -> Binned:
    """Validate (N, L) targets (0/1, NaN masked) and scores in [0, 1] and bin the scores."""
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise MetricInputError(f"n_bins must be a positive integer, got {n_bins!r}")
    yy = check_targets(y)
    pp = check_scores(p, yy.shape, "scores")
    return Binned(yy, pp, np.minimum((pp * n_bins).astype(np.int64), n_bins - 1), n_bins)


def weighted_calibration(b: Binned, w: np.ndarray) -> dict[str, np.ndarray]:
    """(R, L) ECE and Brier per weight row and label; NaN where a label has no unmasked weight."""
    ok = ~np.isnan(b.y)
    gap = np.where(ok, np.nan_to_num(b.y) - b.p, 0.0)
    total = w @ ok.astype(np.float64)
    ece = np.zeros_like(total)
    for k in range(b.n_bins):
        ece += np.abs(w @ np.where(b.bins == k, gap, 0.0))
    brier = w @ (gap ** 2)
    safe = np.where(total > 0, total, 1.0)
    return {"ece": np.where(total > 0, ece / safe, np.nan), "brier": np.where(total > 0, brier / safe, np.nan)}


def one_blas_thread() -> AbstractContextManager[Any]:
    """BLAS on one thread while the replicate products run: a (replicates × images) by (images × labels)
    product is too small to share, and waking OpenBLAS's threads made the bootstrap 3-5× slower on a busy
    2-core machine. Each output is the same single dot product either way, so the values do not change.
    (A controller per call, 0.4 ms: no module-level cache, which the predict-contract probe counts as a route.)"""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().limit(limits=1, user_api="blas")


def reliability(y: object, p: object, n_bins: int = ECE_BINS) -> list[dict[str, float | int | None]]:
    """Reliability-diagram bins pooled over labels: range, image-label count, mean score, observed positive rate."""
    b = binned(y, p, n_bins)
    ok = ~np.isnan(b.y)
    out: list[dict[str, float | int | None]] = []
    for k in range(n_bins):
        cell = ok & (b.bins == k)
        n = int(cell.sum())
        out.append({"lo": k / n_bins, "hi": (k + 1) / n_bins, "n": n,
                    "mean_score": json_float(float(b.p[cell].mean())) if n else None,
                    "positive_rate": json_float(float(b.y[cell].mean())) if n else None})
    return out


def bias_corrected_ci(point: float, replicates: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the finite replicates shifted by their median bias (module docstring), so it
    contains `point`; (NaN, NaN) when the point or every replicate is undefined."""
    if not 0.0 < level < 1.0:
        raise MetricInputError(f"level must lie strictly between 0 and 1, got {level!r}")
    v = replicates[np.isfinite(replicates)]
    if v.size == 0 or not np.isfinite(point):
        return (float("nan"), float("nan"))
    lo, med, hi = np.percentile(v, [50 * (1 - level), 50, 50 * (1 + level)])
    shift = med - point
    return (float(lo - shift), float(hi - shift))


def calibration_summary(y: object, p: object, labels: Sequence[str], clusters: Sequence[Hashable] | np.ndarray,
                        *, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
                        n_bins: int = ECE_BINS) -> dict[str, Any]:
    """JSON-ready macro ECE and Brier with median-bias-corrected patient-bootstrap CIs (`bias_corrected_ci`),
    the bootstrap bias estimates, per-label values and the pooled reliability bins (fractions; lower is better)."""
    b = binned(y, p, n_bins)
    if len(labels) != b.y.shape[1]:
        raise MetricInputError(f"{len(labels)} label names given for {b.y.shape[1]} target columns")
    point = weighted_calibration(b, np.ones((1, b.y.shape[0])))
    codes, n_clusters = cluster_codes(clusters, b.y.shape[0])
    reps: dict[str, list[np.ndarray]] = {k: [] for k in CALIBRATION_STATS}
    with one_blas_thread():
        for w in weight_chunks(codes, n_clusters, n_boot, seed):
            for k, v in weighted_calibration(b, w).items():
                reps[k].append(nanmean_rows(v))
    out: dict[str, Any] = {"n_bins": n_bins, "binning": "equal-width", "ci_method": CI_METHOD}
    for k in CALIBRATION_STATS:
        value, values = float(nanmean_rows(point[k])[0]), np.concatenate(reps[k])
        lo, hi = bias_corrected_ci(value, values, level)
        kept = values[np.isfinite(values)]
        out[k] = json_float(value)
        out[f"{k}_ci"] = [json_float(lo), json_float(hi)]
        out[f"{k}_bootstrap_bias"] = json_float(float(kept.mean() - value) if kept.size else float("nan"))
    out["per_label"] = {name: {"ece": json_float(point["ece"][0, j]), "brier": json_float(point["brier"][0, j]),
                               "n": int((~np.isnan(b.y[:, j])).sum())} for j, name in enumerate(labels)}
    out["reliability"] = reliability(b.y, b.p, n_bins)
    return out
