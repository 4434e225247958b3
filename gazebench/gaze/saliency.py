"""Saliency-map metrics (Bylinskii et al. TPAMI 2019) under the conventions of the field's two canonical
codebases, each named (docs/metrics.md):

- "pysaliency" (Kümmerer's pysaliency, `pysaliency.metrics`): NSS z-scores with the population sd and averages
  over fixations, a cell fixated twice counting twice; SIM normalises each map to sum 1 as it is.
- "mit" (the MIT saliency benchmark code, cvzoya/saliency, Bylinskii et al.): NSS z-scores with MATLAB's `std`
  (sample sd, N − 1) and averages over the fixated cells of a binary fixation map; SIM min–max rescales each
  map to [0, 1] before normalising it to sum 1 (so a positive floor, e.g. a softmax map, is removed).

CC, KLD (MIT's ε) and AUC-Judd agree between the two up to jitter; shuffled AUC and AUC-Borji follow MIT's
AUC_shuffled (negatives: fixated cells of other images) and AUC_Borji (negatives: cells drawn uniformly).
A constant map is exact, never a 0/0: pysaliency's NSS is 0 (it divides only by a non-zero sd), MIT's NSS, CC,
MIT's SIM, shuffled AUC and AUC-Borji are NaN (MATLAB's 0/0), and callers count the NaNs.

A saliency map P is scored against a reference density Q (a gaze heatmap) and a fixation map (fixation counts per
pixel or cell, same shape). All maps must be finite; KLD and SIM also need non-negative maps.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

Convention = Literal["pysaliency", "mit"]
CONVENTIONS: tuple[Convention, ...] = ("pysaliency", "mit")

EPS = 2.2204e-16
"""KLD regulariser, the MIT benchmark's value."""
JITTER = 1e-7
"""AUC-Judd tie-breaking noise, relative to the map's range."""
SAUC_SPLITS = 100
"""Shuffled AUC and AUC-Borji: random draws of negatives averaged (MIT's Nsplits default)."""
SAUC_STEP = 0.1
"""Shuffled AUC and AUC-Borji: threshold step on the [0, 1]-rescaled map (MIT's stepSize default)."""


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


def _convention(convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown saliency convention {convention!r} (known: {', '.join(CONVENTIONS)})")


def _constant(m: np.ndarray) -> bool:
    """Every value equal (tested exactly: the sd of a float constant map can come out a rounding error above 0)."""
    return bool(m.max() == m.min())


def nss(sal_map: ArrayLike, fix_mask: ArrayLike, convention: Convention = "pysaliency") -> float:
    """Normalized scanpath saliency: mean z-scored saliency at fixations.

    pysaliency: population sd, each cell weighted by its fixation count; mit: sample sd (N − 1), each fixated
    cell once. A constant map: 0 under pysaliency (`NSS` subtracts the mean and divides only by a non-zero sd),
    NaN under mit (`NSS.m` divides by a zero sd).
    """
    _convention(convention)
    p, m = _maps(sal_map, fix_mask)
    m = _fixated(m)
    if convention == "mit":
        m = (m > 0).astype(np.float64)
    if _constant(p):
        return 0.0 if convention == "pysaliency" else float("nan")
    sd = p.std(ddof=1 if convention == "mit" else 0)
    return float(np.sum((p - p.mean()) / sd * m) / m.sum())


def cc(a: ArrayLike, b: ArrayLike) -> float:
    """Pearson correlation of two maps over all pixels; NaN if either is constant (MIT `CC.m`'s 0/0;
    pysaliency's `CC` returns 0 when only one is)."""
    a, b = _maps(a, b)
    if _constant(a) or _constant(b):
        return float("nan")
    da, db = a - a.mean(), b - b.mean()
    denom = np.sqrt(np.sum(da * da) * np.sum(db * db))
    return float(np.sum(da * db) / denom) if denom > 0 else float("nan")


def kld(pred: ArrayLike, ref: ArrayLike) -> float:
    """KL divergence of the reference density from the prediction: Σ Q log(ε + Q/(P + ε)), both summing to 1."""
    p, q = _maps(pred, ref)
    p, q = _density(p), _density(q)
    return float(np.sum(q * np.log(EPS + q / (p + EPS))))


def _rescaled(m: np.ndarray) -> np.ndarray:
    """MIT's min–max rescale to [0, 1]; NaN everywhere for a constant map (MATLAB's 0/0)."""
    return np.full_like(m, np.nan) if _constant(m) else (m - m.min()) / (m.max() - m.min())


def sim(a: ArrayLike, b: ArrayLike, convention: Convention = "pysaliency") -> float:
    """Histogram intersection Σ min(A, B) of the two maps normalised to sum 1 (1 = identical).

    pysaliency: each map normalised as it is; mit: each map min–max rescaled first (NaN if one is constant).
    """
    _convention(convention)
    a, b = _maps(a, b)
    da, db = _density(a), _density(b)
    if convention == "mit":
        ra, rb = _rescaled(a), _rescaled(b)
        if np.isnan(ra).any() or np.isnan(rb).any():
            return float("nan")
        da, db = ra / ra.sum(), rb / rb.sum()
    return float(np.minimum(da, db).sum())


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


def _split_auc(pos: np.ndarray, neg: np.ndarray, step: float) -> float:
    """One split's ROC area as MIT's AUC_shuffled / AUC_Borji: thresholds 0, step, ... up to the largest value
    (MATLAB's 0:step:top, endpoint within its colon tolerance), trapezoids from (0, 0) to (1, 1)."""
    top = max(pos.max(), neg.max())
    thresholds = step * np.arange(int(np.floor(top / step + 1e-10)), -1, -1)
    tp = np.concatenate([[0.0], (pos[None, :] >= thresholds[:, None]).mean(axis=1), [1.0]])
    fp = np.concatenate([[0.0], (neg[None, :] >= thresholds[:, None]).mean(axis=1), [1.0]])
    return float(np.sum(np.diff(fp) * (tp[1:] + tp[:-1]) / 2))


def shuffled_auc(sal_map: ArrayLike, fix_mask: ArrayLike, other_mask: ArrayLike,
                 rng: np.random.Generator | None = None, n_splits: int = SAUC_SPLITS, step: float = SAUC_STEP) -> float:
    """Shuffled AUC as MIT's AUC_shuffled: positives are the map's values at this image's fixated cells,
    negatives as many values drawn without replacement from the cells fixated on other images (`other_mask`,
    the union of their fixation maps), thresholds 0, step, ... up to the largest value on the [0, 1]-rescaled
    map, trapezoid ROC area averaged over `n_splits` draws (seeded 0 when rng is None).

    It discounts the centre bias every observer shares. NaN for a constant map or when no other image has a
    fixation.
    """
    p, m, o = _maps(sal_map, fix_mask, other_mask)
    fixated = _fixated(m).ravel() > 0
    others = np.flatnonzero(o.ravel() > 0)
    if np.any(o < 0):
        raise ValueError("the other images' fixation map must be non-negative")
    s = _rescaled(p).ravel()
    if others.size == 0 or np.isnan(s).any():
        return float("nan")
    rng = np.random.default_rng(0) if rng is None else rng
    pos = s[fixated]
    n_neg = min(pos.size, others.size)
    return float(np.mean([_split_auc(pos, s[rng.permutation(others)[:n_neg]], step) for _ in range(n_splits)]))


def auc_borji(sal_map: ArrayLike, fix_mask: ArrayLike, rng: np.random.Generator | None = None,
              n_splits: int = SAUC_SPLITS, step: float = SAUC_STEP) -> float:
    """AUC-Borji as MIT's AUC_Borji (Borji et al., "Analysis of scores, datasets, and models in visual saliency
    prediction", ICCV 2013): positives are the [0, 1]-rescaled map at the fixated cells (each once), negatives as
    many cells drawn uniformly with replacement from the whole map (MATLAB's randi), thresholds 0, step, ... up
    to the largest value, trapezoid ROC area averaged over `n_splits` draws (seeded 0 when rng is None).

    Its expectation is the ROC area of the fixated values against every cell of the map at those thresholds
    (pysaliency's `AUC` with uniform nonfixations, when the map's values lie on the threshold grid). NaN for a
    constant map (MIT's "NaN saliencyMap").
    """
    p, m = _maps(sal_map, fix_mask)
    fixated = _fixated(m).ravel() > 0
    s = _rescaled(p).ravel()
    if np.isnan(s).any():
        return float("nan")
    rng = np.random.default_rng(0) if rng is None else rng
    pos = s[fixated]
    return float(np.mean([_split_auc(pos, s[rng.integers(0, s.size, pos.size)], step) for _ in range(n_splits)]))
