"""A task's metrics read from results.json: every declared metric must be there, except the model-based report
metrics, which a run scored before one of them existed did not compute (read as not computed)."""
from __future__ import annotations

import pytest

from gazebench.metrics.vocabulary import MODEL_BASED, metrics_for
from gazebench.results import ResultsError, _metrics_from


def stored(skip: frozenset[str]) -> dict[str, dict[str, object]]:
    return {m.name: {"value": 0.5, "ci": [0.4, 0.6]} for m in metrics_for("report") if m.name not in skip}


def test_a_run_scored_before_a_model_based_metric_existed_reads_it_as_not_computed() -> None:
    assert {"radgraph_simple_f1", "chexbert14_micro_f1", "bertscore_f1"} <= MODEL_BASED
    metrics = _metrics_from(stored(MODEL_BASED), "report", "results.mimic-eye-report.metrics")
    assert set(metrics) == {m.name for m in metrics_for("report")}
    assert all(metrics[n].value is None and metrics[n].ci == (None, None) for n in MODEL_BASED)
    assert metrics["bleu4"].value == 0.5 and metrics["bleu4"].ci == (0.4, 0.6)


def test_any_other_missing_metric_is_a_malformed_file() -> None:
    with pytest.raises(ResultsError, match=r"results\.x\.metrics: no value for bleu4 \(declared by the report"):
        _metrics_from(stored(MODEL_BASED | {"bleu4"}), "report", "results.x.metrics")
