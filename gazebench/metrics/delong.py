"""DeLong test for two correlated AUROCs on the same images (fast midrank form, Sun & Xu 2014),
per label and over all labels with a Holm adjustment; a quick analytic check beside the bootstrap."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from gazebench.metrics.classification import json_float
from gazebench.metrics.inputs import MetricInputError, check_scores, check_targets


class DelongResult(NamedTuple):
    """AUROC of each model, z = (auc_a − auc_b) / SE, and the two-sided normal p-value."""

    auc_a: float
    auc_b: float
    z: float
    p_value: float


def _cov(v: np.ndarray) -> np.ndarray:
    """(k, k) sample covariance (ddof=1) of k rows of structural components; NaN if fewer than 2 columns."""
    k, n = v.shape
    if n < 2:
        return np.full((k, k), np.nan)
    c = v - v.mean(axis=1, keepdims=True)
    return (c @ c.T) / (n - 1)


def delong_covariance(y: object, scores: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """AUROCs (k,) of k score vectors for one label, and their (k, k) DeLong covariance.

    With m positives and n negatives, and Tz, Tx, Ty the midranks among all, positive and negative
    rows: V10_i = (Tz_i − Tx_i)/n, V01_j = 1 − (Tz_j − Ty_j)/m, AUC = mean(V10),
    S = Cov(V10)/m + Cov(V01)/n. NaN where the label lacks a class (or, for S, has one of a class).
    """
    yy = check_targets(y)
    if yy.shape[1] != 1:
        raise MetricInputError(f"DeLong takes one label at a time; targets have {yy.shape[1]} columns")
    x = np.stack([check_scores(s, yy.shape, f"scores {i}")[:, 0] for i, s in enumerate(scores)])
    valid = ~np.isnan(yy[:, 0])
    pos = yy[valid, 0] == 1.0
    x = x[:, valid]
    xp, xn = x[:, pos], x[:, ~pos]
    m, n = xp.shape[1], xn.shape[1]
    k = x.shape[0]
    if m == 0 or n == 0:
        return np.full(k, np.nan), np.full((k, k), np.nan)
    from scipy.stats import rankdata  # here, not at the top: scipy.stats takes ~1 s to import, and every
    # `gazebench.metrics.*` import (the CLI's tables too) runs this package's __init__

    tz = rankdata(np.hstack([xp, xn]), method="average", axis=1)
    v10 = (tz[:, :m] - rankdata(xp, method="average", axis=1)) / n
    v01 = 1.0 - (tz[:, m:] - rankdata(xn, method="average", axis=1)) / m
    return v10.mean(axis=1), _cov(v10) / m + _cov(v01) / n


def delong_test(y: object, p_a: object, p_b: object) -> DelongResult:
    """Two-sided DeLong test of AUROC(a) = AUROC(b) on one label's unmasked rows (NaN if not testable)."""
    aucs, s = delong_covariance(y, [p_a, p_b])
    auc_a, auc_b = float(aucs[0]), float(aucs[1])
    var = float(s[0, 0] + s[1, 1] - 2 * s[0, 1])
    diff = auc_a - auc_b
    if math.isnan(var):
        return DelongResult(auc_a, auc_b, math.nan, math.nan)
    if var <= 1e-12 * float(s[0, 0] + s[1, 1]):  # the two score vectors rank the rows identically
        z = 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
    else:
        z = diff / math.sqrt(var)
    return DelongResult(auc_a, auc_b, z, math.erfc(abs(z) / math.sqrt(2.0)))


def holm(p_values: object) -> np.ndarray:
    """Holm step-down adjusted p-values; NaN entries stay NaN and do not count as tests."""
    p = np.asarray(p_values, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    order = idx[np.argsort(p[idx], kind="stable")]
    scaled = (idx.size - np.arange(idx.size)) * p[order]
    out[order] = np.minimum(1.0, np.maximum.accumulate(scaled))
    return out


def delong_macro(
    y: object, p_a: object, p_b: object, labels: Sequence[str] | None = None, alpha: float = 0.05
) -> dict[str, Any]:
    """DeLong test per label plus Holm-adjusted p-values; JSON-ready, with the labels that could not be tested."""
    yy = check_targets(y)
    pa = check_scores(p_a, yy.shape, "scores of model a")
    pb = check_scores(p_b, yy.shape, "scores of model b")
    names = [str(j) for j in range(yy.shape[1])] if labels is None else list(labels)
    if len(names) != yy.shape[1]:
        raise MetricInputError(f"{len(names)} label names given for {yy.shape[1]} target columns")
    results = [delong_test(yy[:, j], pa[:, j], pb[:, j]) for j in range(yy.shape[1])]
    adjusted = holm([r.p_value for r in results])
    return {
        "per_label": {
            name: {**{k: json_float(v) for k, v in r._asdict().items()}, "p_holm": json_float(adj)}
            for name, r, adj in zip(names, results, adjusted, strict=True)
        },
        "labels_excluded": [name for name, r in zip(names, results, strict=True) if math.isnan(r.p_value)],
        "alpha": alpha,
        "holm_significant": [name for name, adj in zip(names, adjusted, strict=True) if adj < alpha],
    }
