"""Model-based report metrics (CheXbert-labeler F1, RadGraph F1, BERTScore) through the field's own libraries,
from local weights only: the registry of scorers, their options (`--metric-arg`), how weights are found and identified,
and the per-item evidence the report family bootstraps (docs/metrics.md)."""
from __future__ import annotations

from gazebench.metrics.model_based.bertscore import BERTScoreMetric
from gazebench.metrics.model_based.chexbert import CheXbertF1
from gazebench.metrics.model_based.radgraph import RadGraphF1
from gazebench.metrics.model_based.registry import MODEL_METRICS, Evidence, ModelMetric
from gazebench.metrics.model_based.setup import (
    MetricOptions,
    MetricSetup,
    NotComputed,
    Ready,
    active_setup,
    model_based_scores,
    resolve_setup,
    using_setup,
)

for _builtin in (CheXbertF1, RadGraphF1, BERTScoreMetric):  # registered here: no scorer module imports the setup
    MODEL_METRICS.add(_builtin.name, _builtin)

__all__ = ["MODEL_METRICS", "Evidence", "MetricOptions", "MetricSetup", "ModelMetric", "NotComputed", "Ready",
           "active_setup", "model_based_scores", "resolve_setup", "using_setup"]
