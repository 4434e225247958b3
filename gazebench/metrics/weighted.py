"""Classification metrics under per-image integer weights (how often each image is drawn).

The point estimate is one row of weights all 1; a bootstrap replicate is one row of resampling counts.
Sharing this code keeps the point estimate and its CI on exactly the same definitions, and turns
1000 replicates into a few array passes per label instead of 1000 calls to scikit-learn.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gazebench.metrics.inputs import MetricInputError, check_scores, check_targets, check_thresholds
from gazebench.metrics.vocabulary import ACC, AUROC, F1

STAT_NAMES = (AUROC.name, ACC.name, F1.name, "micro_f1")
"""Macro statistics a summary reports and a bootstrap can resample (all fractions, higher is better)."""


@dataclass(frozen=True, eq=False)
class RankedLabel:
    """One label's unmasked rows by class, where each positive's score falls among the negatives', and which
    rows score below the label's threshold (predicted No)."""

    pos_rows: np.ndarray
    """Rows where the target is 1."""
    neg_rows: np.ndarray
    """Rows where the target is 0, in ascending order of score."""
    below: np.ndarray
    """Per positive: how many of `neg_rows` score strictly lower."""
    not_above: np.ndarray
    """Per positive: how many of `neg_rows` score lower or equal (the difference counts ties)."""
    neg_no: int
    """How many of `neg_rows` (the first ones) score below the threshold: the true negatives."""
    pos_no: np.ndarray
    """The rows of `pos_rows` that score below the threshold: the false negatives."""


@dataclass(frozen=True, eq=False)
class Scored:
    """Validated targets, scores and thresholds, plus the per-label score orderings, computed once."""

    y: np.ndarray
    p: np.ndarray
    thresholds: np.ndarray
    ranked: tuple[RankedLabel, ...]


@dataclass(frozen=True, eq=False)
class Confusion:
    """Weighted confusion counts, each (B, L): replicate by label."""

    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.tp + self.fp + self.fn + self.tn


def rank_label(y_col: np.ndarray, p_col: np.ndarray, threshold: float) -> RankedLabel:
    """Split one label's unmasked rows by class, place each positive among the sorted negatives, and find
    the rows predicted No (score below `threshold`)."""
    pos_rows = np.flatnonzero(y_col == 1.0)
    neg = np.flatnonzero(y_col == 0.0)
    neg_rows = neg[np.argsort(p_col[neg], kind="stable")]
    s = p_col[neg_rows]
    return RankedLabel(
        pos_rows=pos_rows,
        neg_rows=neg_rows,
        below=np.searchsorted(s, p_col[pos_rows], side="left"),
        not_above=np.searchsorted(s, p_col[pos_rows], side="right"),
        neg_no=int(np.searchsorted(s, threshold, side="left")),
        pos_no=pos_rows[p_col[pos_rows] < threshold],
    )


def prepare(y: object, p: object, thresholds: object, what: str = "scores") -> Scored:
    """Validate the inputs once and precompute what every replicate needs."""
    yy = check_targets(y)
    pp = check_scores(p, yy.shape, what)
    tt = check_thresholds(thresholds, yy.shape[1])
    ranked = tuple(rank_label(yy[:, j], pp[:, j], float(tt[j])) for j in range(yy.shape[1]))
    return Scored(y=yy, p=pp, thresholds=tt, ranked=ranked)


def label_stats(s: Scored, w: np.ndarray) -> tuple[np.ndarray, Confusion]:
    """(B, L) Mann–Whitney AUROC (ties count ½; NaN where a label lacks a class) and the confusion counts at
    `s.thresholds` (positive when score >= threshold), per weight row, in one pass per label.

    With the label's negatives in ascending order of score and their weights summed cumulatively, AUROC is
    the sum over positives i of w_i · (negative weight below s_i + ½ negative weight tied with s_i) over
    (positive weight · negative weight); the true negatives are a prefix of the same sums and the false
    negatives the positives below the threshold, so no matrix product is needed (OpenBLAS's threads made
    those slower than the rest on small replicate matrices). Every sum is of integer draw counts, exact in
    float64, so the values do not depend on the order of summation.
    """
    wt = np.ascontiguousarray(w.T)  # (N, B): gathering image rows copies contiguous memory
    shape = (w.shape[0], len(s.ranked))
    auc = np.full(shape, np.nan)
    tp, fp, fn, tn = (np.empty(shape) for _ in range(4))
    for j, r in enumerate(s.ranked):
        cum_neg = np.zeros((r.neg_rows.size + 1, wt.shape[1]))
        np.cumsum(wt[r.neg_rows], axis=0, out=cum_neg[1:])
        wp = wt[r.pos_rows]
        pos_weight = wp.sum(axis=0)
        tn[:, j] = cum_neg[r.neg_no]
        fp[:, j] = cum_neg[-1] - cum_neg[r.neg_no]
        fn[:, j] = wt[r.pos_no].sum(axis=0)
        tp[:, j] = pos_weight - fn[:, j]
        if r.pos_rows.size == 0 or r.neg_rows.size == 0:
            continue
        wins = 0.5 * np.einsum("ib,ib->b", wp, cum_neg[r.below] + cum_neg[r.not_above])
        pairs = pos_weight * cum_neg[-1]
        ok = pairs > 0
        auc[ok, j] = wins[ok] / pairs[ok]
    return auc, Confusion(tp=tp, fp=fp, fn=fn, tn=tn)


def _ratio(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
    """num / den, with `empty` where den is 0 (no division warnings)."""
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), empty)


def accuracy(c: Confusion) -> np.ndarray:
    """Per-label accuracy; NaN for a label with no unmasked rows."""
    return _ratio(c.tp + c.tn, c.total, np.nan)


def f1(c: Confusion) -> np.ndarray:
    """Per-label F1; NaN (left out of the macro, sklearn's zero_division=nan) where it is undefined:
    no unmasked rows, or no positive and no predicted positive, so a perfect model scores 1, not 0."""
    return _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, np.nan)


def micro_f1(c: Confusion) -> np.ndarray:
    """F1 of the counts pooled over labels, (B,); NaN where no label has an unmasked row."""
    tp, fp, fn = c.tp.sum(axis=1), c.fp.sum(axis=1), c.fn.sum(axis=1)
    return _ratio(2 * tp, 2 * tp + fp + fn, np.nan)


def nanmean_rows(x: np.ndarray) -> np.ndarray:
    """Mean over the finite entries of each row, NaN for a row with none (no RuntimeWarning)."""
    ok = ~np.isnan(x)
    n = ok.sum(axis=1)
    return _ratio(np.where(ok, x, 0.0).sum(axis=1), n, np.nan)


_MACROS: dict[str, Callable[[Confusion], np.ndarray]] = {
    ACC.name: lambda c: nanmean_rows(accuracy(c)),
    F1.name: lambda c: nanmean_rows(f1(c)),
    "micro_f1": micro_f1,
}


def check_stats(stats: Sequence[str]) -> tuple[str, ...]:
    """The requested statistic names, checked against STAT_NAMES."""
    unknown = [x for x in stats if x not in STAT_NAMES]
    if unknown or not stats:
        raise MetricInputError(f"unknown statistic(s) {unknown}; choose from {list(STAT_NAMES)}")
    return tuple(stats)


def macro_stats(s: Scored, w: np.ndarray, stats: Sequence[str]) -> dict[str, np.ndarray]:
    """Each requested macro statistic, (B,) per weight row; NaN where no label is evaluable."""
    auc, conf = label_stats(s, w)
    return {x: nanmean_rows(auc) if x == AUROC.name else _MACROS[x](conf) for x in stats}
