"""Per-label and macro AUROC, accuracy and F1 for masked multi-label targets (conventions: docs/metrics.md).

Each label is scored on its unmasked rows only. Macro AUROC averages the labels that hold both
classes and names the ones it had to leave out; accuracy and F1 need a stated threshold per label.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gazebench.metrics.inputs import MetricInputError
from gazebench.metrics.weighted import (
    STAT_NAMES,
    Scored,
    accuracy,
    f1,
    label_stats,
    macro_stats,
    prepare,
)


def auroc(y: object, p: object) -> np.ndarray:
    """(L,) Mann–Whitney AUROC per label (ties count ½); NaN where the unmasked rows hold one class."""
    s = prepare(y, p, 0.5)
    return label_stats(s, np.ones((1, s.y.shape[0])))[0][0]


@dataclass(frozen=True, eq=False)
class LabelMetrics:
    """Per-label results, each an (L,) array in the order of the target columns."""

    auroc: np.ndarray
    """NaN where the label's unmasked rows hold a single class."""
    acc: np.ndarray
    """NaN where the label has no unmasked rows."""
    f1: np.ndarray
    """NaN where undefined (no unmasked rows, or no positive and no predicted positive)."""
    n_pos: np.ndarray
    n_neg: np.ndarray
    n_pred_pos: np.ndarray
    """Unmasked rows scored at or above the threshold: 0 means every prediction is No (F1 0 by construction)."""
    threshold: np.ndarray
    """Score at or above which a label is predicted positive."""


def label_metrics(y: object, p: object, thresholds: object) -> LabelMetrics:
    """AUROC, accuracy and F1 of every label, with its class counts and threshold."""
    return _label_metrics(prepare(y, p, thresholds))


def _label_metrics(s: Scored) -> LabelMetrics:
    auc, conf = label_stats(s, np.ones((1, s.y.shape[0])))
    return LabelMetrics(
        auroc=auc[0],
        acc=accuracy(conf)[0],
        f1=f1(conf)[0],
        n_pos=(s.y == 1.0).sum(axis=0),
        n_neg=(s.y == 0.0).sum(axis=0),
        n_pred_pos=(conf.tp + conf.fp)[0].astype(np.int64),
        threshold=s.thresholds,
    )


def threshold_counts(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One label's distinct scores, descending, with the positives and negatives scoring at or above each
    (float64 counts); `y` holds 0/1 only. The order within tied scores cannot change a count."""
    order = np.argsort(-p, kind="stable")
    s = p[order]
    last = np.flatnonzero(np.r_[s[1:] != s[:-1], True])  # last row of each run of equal scores
    tp = np.cumsum(y[order] == 1.0)[last].astype(np.float64)
    return s[last], tp, (last + 1) - tp


def roc_points(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """FPR and TPR of one label with both classes, from (0, 0), at every distinct score, dropping the points
    collinear with their neighbours: the points of scikit-learn's `roc_curve` (drop_intermediate=True), here
    so that scoring need not import scikit-learn (about 2 s)."""
    _, tp, fp = threshold_counts(y, p)
    if fp.size > 2:
        keep = np.r_[True, (np.diff(fp, 2) != 0) | (np.diff(tp, 2) != 0), True]
        tp, fp = tp[keep], fp[keep]
    tp, fp = np.r_[0.0, tp], np.r_[0.0, fp]
    return fp / fp[-1], tp / tp[-1]


def json_float(x: float) -> float | None:
    """A float for a results JSON: NaN and ±inf become None (JSON has neither)."""
    return float(x) if np.isfinite(x) else None


def summary(y: object, p: object, thresholds: object, labels: Sequence[str]) -> dict[str, Any]:
    """JSON-ready macro and per-label metrics (fractions, not percent); keys match bootstrap stat names."""
    s = prepare(y, p, thresholds)
    names = list(labels)
    if len(names) != s.y.shape[1]:
        raise MetricInputError(f"{len(names)} label names given for {s.y.shape[1]} target columns")
    m = _label_metrics(s)
    macro = macro_stats(s, np.ones((1, s.y.shape[0])), STAT_NAMES)
    used = ~np.isnan(m.auroc)
    out: dict[str, Any] = {k: json_float(v[0]) for k, v in macro.items()}
    out |= {
        "n_images": int(s.y.shape[0]),
        "auroc_labels_used": int(used.sum()),
        "auroc_labels_excluded": [n for n, u in zip(names, used, strict=True) if not u],
        "per_label": {
            name: {
                "auroc": json_float(m.auroc[j]),
                "acc": json_float(m.acc[j]),
                "f1": json_float(m.f1[j]),
                "n_pos": int(m.n_pos[j]),
                "n_neg": int(m.n_neg[j]),
                "n_pred_pos": int(m.n_pred_pos[j]),
                "threshold": float(m.threshold[j]),
            }
            for j, name in enumerate(names)
        },
    }
    return out
