"""Precision, recall and F1 from (weighted) TP/FP/FN sums, 0 where a denominator is 0 (scikit-learn's
zero_division=0, as gazebench.metrics.clinical)."""
from __future__ import annotations

import numpy as np


def ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """num / den elementwise, 0 where den is 0."""
    n, d = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(n, d, out=np.zeros(np.broadcast(n, d).shape), where=d > 0)


def prf(tp: np.ndarray | float, fp: np.ndarray | float, fn: np.ndarray | float) -> tuple[np.ndarray, ...]:
    """(precision, recall, F1) of TP/FP/FN sums, elementwise."""
    tp, fp, fn = (np.asarray(v, dtype=np.float64) for v in (tp, fp, fn))
    return ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(2 * tp, 2 * tp + fp + fn)


def weighted_mean(values: np.ndarray, w: np.ndarray) -> float:
    """Σ w·v / Σ w over finite values; NaN when no weight falls on a finite value."""
    ok = np.isfinite(values)
    total = float(w[ok].sum())
    return float(w[ok] @ values[ok] / total) if total > 0 else float("nan")
