"""Classification metrics, thresholds, bootstrap CIs and paired tests: pure functions over
(N, L) targets (0/1, NaN = masked) and (N, L) scores in [0, 1]; they never read files."""
from __future__ import annotations

from gazebench.metrics import thresholds
from gazebench.metrics.bootstrap import (
    BootstrapDistribution,
    bootstrap_ci,
    bootstrap_distribution,
    paired_bootstrap,
    resample_indices,
)
from gazebench.metrics.classification import LabelMetrics, auroc, json_float, label_metrics, summary
from gazebench.metrics.delong import DelongResult, delong_covariance, delong_macro, delong_test, holm
from gazebench.metrics.inputs import MetricInputError
from gazebench.metrics.thresholds import ThresholdPolicy, tuned_policy
from gazebench.metrics.weighted import STAT_NAMES

__all__ = [
    "STAT_NAMES",
    "BootstrapDistribution",
    "DelongResult",
    "LabelMetrics",
    "MetricInputError",
    "ThresholdPolicy",
    "auroc",
    "bootstrap_ci",
    "bootstrap_distribution",
    "delong_covariance",
    "delong_macro",
    "delong_test",
    "holm",
    "json_float",
    "label_metrics",
    "paired_bootstrap",
    "resample_indices",
    "summary",
    "thresholds",
    "tuned_policy",
]
