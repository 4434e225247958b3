"""Saliency-map metrics (Bylinskii et al. TPAMI 2019; formulas as in pysaliency and the MIT benchmark, docs/metrics.md).

A saliency map P is scored against a reference density Q (a gaze heatmap) and a fixation map (fixation counts
per pixel or cell, same shape). All maps must be finite; KLD and SIM also need non-negative maps.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

EPS = 2.2204e-16
"""KLD regulariser, the MIT benchmark's value."""
JITTER = 1e-7
"""AUC-Judd tie-breaking noise, relative to the map's range."""


def _maps(*maps: ArrayLike) -> list[np.ndarray]:
    out = [np.asarray(m, dtype=np.float64) for m in maps]
    if any(m.shape != out[0].shape for m in out):
        raise ValueError(f"maps must have the same shape, got {[m.shape for m in out]}")
    if out[0].size == 0 or not all(np.isfinite(m).all() for m in out):
        raise ValueError("maps must be non-empty and finite")
    return out


def _density(m: np.ndarray) -> np.ndarray:
    total = m.sum()
    if np.any(m < 0) or total <= 0:
        raise ValueError("a density map must be non-negative with a positive sum")
    return m / total


def _fixated(fix_mask: np.ndarray) -> np.ndarray:
    if np.any(fix_mask < 0) or not np.any(fix_mask > 0):
        raise ValueError("the fixation map must be non-negative with at least one fixation")
    return fix_mask


def nss(sal_map: ArrayLike, fix_mask: ArrayLike) -> float:
    """Normalized scanpath saliency: mean z-scored saliency (population sd) at fixations, weighted by count.

    NaN for a constant map.
    """
    p, m = _maps(sal_map, fix_mask)
    m = _fixated(m)
    sd = p.std()
    if sd == 0:
        return float("nan")
    return float(np.sum((p - p.mean()) / sd * m) / m.sum())


def cc(a: ArrayLike, b: ArrayLike) -> float:
    """Pearson correlation of two maps over all pixels; NaN if either is constant."""
    a, b = _maps(a, b)
    da, db = a - a.mean(), b - b.mean()
    denom = np.sqrt(np.sum(da * da) * np.sum(db * db))
    return float(np.sum(da * db) / denom) if denom > 0 else float("nan")


def kld(pred: ArrayLike, ref: ArrayLike) -> float:
    """KL divergence of the reference density from the prediction: Σ Q log(ε + Q/(P + ε)), both summing to 1."""
    p, q = _maps(pred, ref)
    p, q = _density(p), _density(q)
    return float(np.sum(q * np.log(EPS + q / (p + EPS))))


def sim(a: ArrayLike, b: ArrayLike) -> float:
    """Histogram intersection Σ min(A, B) of the two maps normalised to sum 1 (1 = identical)."""
    a, b = _maps(a, b)
    return float(np.minimum(_density(a), _density(b)).sum())


def auc_judd(sal_map: ArrayLike, fix_mask: ArrayLike, rng: np.random.Generator | None = None) -> float:
    """AUC-Judd: ROC area with thresholds at the fixated values (fixated pixels counted once).

    The map is min-max normalised, then jittered by U(0, 1e-7) to break ties (seeded 0 when rng is None);
    the MIT code jitters before normalising. NaN when every pixel is fixated.
    """
    p, m = _maps(sal_map, fix_mask)
    fixated = _fixated(m).ravel() > 0
    rng = np.random.default_rng(0) if rng is None else rng
    s = p.ravel() - p.min()
    if s.max() > 0:
        s = s / s.max()
    s = s + rng.random(s.shape) * JITTER
    n_pixels, n_fix = s.size, int(fixated.sum())
    if n_fix == n_pixels:
        return float("nan")
    thresholds = np.sort(s[fixated])[::-1]
    above = n_pixels - np.searchsorted(np.sort(s), thresholds, side="left")
    rank = np.arange(1, n_fix + 1)
    tp = np.concatenate([[0.0], rank / n_fix, [1.0]])
    fp = np.concatenate([[0.0], (above - rank) / (n_pixels - n_fix), [1.0]])
    return float(np.sum(np.diff(fp) * (tp[1:] + tp[:-1]) / 2))


def saliency_summary(
    sal_map: ArrayLike, ref_heatmap: ArrayLike, fix_mask: ArrayLike, rng: np.random.Generator | None = None
) -> dict[str, float]:
    """NSS and AUC-Judd against the fixation map; CC, KLD and SIM against the reference heatmap."""
    return {
        "nss": nss(sal_map, fix_mask),
        "auc_judd": auc_judd(sal_map, fix_mask, rng),
        "cc": cc(sal_map, ref_heatmap),
        "kld": kld(sal_map, ref_heatmap),
        "sim": sim(sal_map, ref_heatmap),
    }
