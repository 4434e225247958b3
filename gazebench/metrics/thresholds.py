"""Per-label decision thresholds for accuracy and F1: fixed 0.5, or tuned on validation data only.

`tune` takes validation arrays and nothing else, so a test split can never leak into a threshold;
the `ThresholdPolicy` record states in the results JSON which rule and which split set them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from gazebench.metrics.classification import threshold_counts
from gazebench.metrics.inputs import MetricInputError, check_scores, check_targets, check_thresholds

TuneMethod = Literal["max-f1", "youden"]
PolicyName = Literal["fixed", "max-f1", "youden"]
FALLBACK = 0.5
"""Threshold for a label whose validation rows hold a single class (nothing to tune on)."""


def fixed(n_labels: int, value: float = FALLBACK) -> np.ndarray:
    """The same threshold for every label."""
    return check_thresholds(value, n_labels)


def _tune_label(y: np.ndarray, p: np.ndarray, method: TuneMethod) -> float:
    """Best validation score to threshold at (positive when score >= it); ties go to the highest."""
    ok = ~np.isnan(y)
    y, p = y[ok], p[ok]
    n_pos = int((y == 1.0).sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return FALLBACK
    s, tp, fp = threshold_counts(y, p)
    if method == "max-f1":
        score = 2 * tp / (tp + fp + n_pos)
    else:
        score = tp / n_pos - fp / n_neg
    return float(s[int(np.argmax(score))])


def tune(y_val: object, p_val: object, method: TuneMethod = "max-f1") -> np.ndarray:
    """(L,) thresholds maximising F1 or Youden's J = TPR − FPR on validation data, one per label."""
    if method not in ("max-f1", "youden"):
        raise MetricInputError(f"unknown threshold method {method!r}; choose 'max-f1' or 'youden'")
    y = check_targets(y_val)
    p = check_scores(p_val, y.shape, "validation scores")
    return np.array([_tune_label(y[:, j], p[:, j], method) for j in range(y.shape[1])])


@dataclass(frozen=True)
class ThresholdPolicy:
    """Which rule set the thresholds, their values, and where they came from (for the results JSON)."""

    name: PolicyName
    values: tuple[float, ...] | None = None
    """Per-label thresholds; None only for "fixed", meaning 0.5 for every label."""
    source: str = "0.5"
    """For "fixed" the value; for a tuned policy the data, e.g. "mimic-eye validate split"."""

    def __post_init__(self) -> None:
        if self.name not in ("fixed", "max-f1", "youden"):
            raise MetricInputError(f"unknown threshold policy {self.name!r}; choose fixed, max-f1 or youden")
        if self.values is None and self.name != "fixed":
            raise MetricInputError(f"threshold policy {self.name!r} needs tuned values")
        if self.values is not None:
            check_thresholds(self.values, len(self.values))

    def array(self, n_labels: int) -> np.ndarray:
        """(n_labels,) thresholds, checking that a tuned policy has one value per label."""
        return check_thresholds(FALLBACK if self.values is None else self.values, n_labels)

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "values": None if self.values is None else list(self.values), "source": self.source}


def tuned_policy(y_val: object, p_val: object, method: TuneMethod, source: str) -> ThresholdPolicy:
    """Tune thresholds on validation data and record the method and `source` beside them."""
    return ThresholdPolicy(name=method, values=tuple(float(v) for v in tune(y_val, p_val, method)), source=source)
