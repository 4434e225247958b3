"""Agreement between predicted and reference K-cell gaze sequences on one grid (definitions: docs/metrics.md).

Inputs are cell indices, (k,) for one item or (N, k) for N items. Per-item metrics return (N,) arrays so the
caller can bootstrap them; `scanpath_summary` averages.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from gazebench.gaze.grid import Grid, check_grid


def _pair(pred: ArrayLike, ref: ArrayLike, same_length: bool = True) -> tuple[np.ndarray, np.ndarray]:
    pred = np.atleast_2d(np.asarray(pred, dtype=np.int64))
    ref = np.atleast_2d(np.asarray(ref, dtype=np.int64))
    if pred.ndim != 2 or ref.ndim != 2 or len(pred) != len(ref) or (same_length and pred.shape != ref.shape):
        raise ValueError(f"pred and ref must be (N, k) with matching shapes, got {pred.shape} and {ref.shape}")
    if pred.size == 0 or ref.size == 0:
        raise ValueError("pred and ref must hold at least one item of at least one cell")
    return pred, ref


def exact_position_accuracy(pred: ArrayLike, ref: ArrayLike) -> np.ndarray:
    """(k,) fraction of items whose predicted cell at position j equals the reference cell there."""
    pred, ref = _pair(pred, ref)
    return (pred == ref).mean(axis=0)


def mean_grid_distance(pred: ArrayLike, ref: ArrayLike, grid: Grid) -> np.ndarray:
    """(N,) Euclidean distance in cells between predicted and reference cell, averaged over positions."""
    _, cols = check_grid(grid)
    pred, ref = _pair(pred, ref)
    (pr, pc), (rr, rc) = np.divmod(pred, cols), np.divmod(ref, cols)
    return np.hypot(pr - rr, pc - rc).mean(axis=1)


def edit_distance(pred: ArrayLike, ref: ArrayLike) -> np.ndarray:
    """(N,) Levenshtein distance (unit costs) between the sequences, divided by the longer length (0 = same)."""
    pred, ref = _pair(pred, ref, same_length=False)
    n, m = pred.shape[1], ref.shape[1]
    row = np.broadcast_to(np.arange(m + 1, dtype=np.float64), (len(pred), m + 1)).copy()
    for i in range(1, n + 1):  # dynamic programme over pred, vectorised across items
        prev, row = row, np.empty_like(row)
        row[:, 0] = i
        for j in range(1, m + 1):
            substitute = prev[:, j - 1] + (pred[:, i - 1] != ref[:, j - 1])
            row[:, j] = np.minimum(np.minimum(prev[:, j] + 1, row[:, j - 1] + 1), substitute)
    return row[:, m] / max(n, m, 1)


def topk_overlap(pred: ArrayLike, ref: ArrayLike) -> np.ndarray:
    """(N,) intersection over union of the sets of cells in the two sequences."""
    pred, ref = _pair(pred, ref, same_length=False)
    out = np.empty(len(pred))
    for i, (p, r) in enumerate(zip(pred, ref, strict=True)):
        a, b = set(p.tolist()), set(r.tolist())
        out[i] = len(a & b) / len(a | b)
    return out


def kendall_tau(pred: ArrayLike, ref: ArrayLike) -> np.ndarray:
    """(N,) Kendall tau between the first-visit orders of the cells both sequences contain; NaN if < 2 shared."""
    pred, ref = _pair(pred, ref, same_length=False)
    out = np.full(len(pred), np.nan)
    for i, (p, r) in enumerate(zip(pred, ref, strict=True)):
        p_rank = {c: j for j, c in reversed(list(enumerate(p.tolist())))}
        r_rank = {c: j for j, c in reversed(list(enumerate(r.tolist())))}
        shared = sorted(p_rank.keys() & r_rank.keys())
        if len(shared) < 2:
            continue
        a = np.array([p_rank[c] for c in shared])
        b = np.array([r_rank[c] for c in shared])
        upper = np.triu_indices(len(shared), 1)
        sign = np.sign(a[:, None] - a[None, :])[upper] * np.sign(b[:, None] - b[None, :])[upper]
        out[i] = sign.mean()  # first-visit ranks are distinct, so tau-a = tau-b
    return out


def scanpath_summary(pred: ArrayLike, ref: ArrayLike, grid: Grid) -> dict[str, float]:
    """Item means of every sequence metric, plus exact-position accuracy per position (exact@1..k)."""
    pred, ref = _pair(pred, ref)
    per_position = exact_position_accuracy(pred, ref)
    tau = kendall_tau(pred, ref)
    summary = {
        "n_items": float(len(pred)),
        "exact_position_accuracy": float(per_position.mean()),
        **{f"exact@{j + 1}": float(v) for j, v in enumerate(per_position)},
        "mean_grid_distance": float(mean_grid_distance(pred, ref, grid).mean()),
        "edit_distance": float(edit_distance(pred, ref).mean()),
        "topk_overlap": float(topk_overlap(pred, ref).mean()),
        "kendall_tau": float(np.nanmean(tau)) if np.isfinite(tau).any() else float("nan"),
        "kendall_tau_n": float(np.isfinite(tau).sum()),
    }
    return summary
