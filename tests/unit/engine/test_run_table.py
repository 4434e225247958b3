"""The table `gazebench run` prints: a zero-width CI is marked and explained, never shown as a precise number."""
from __future__ import annotations

from rich.console import Console

from gazebench.engine.run_table import percent, results_table
from gazebench.metrics.power import ZERO_WIDTH_MARK
from gazebench.results import SCHEMA_VERSION, MetricValue, RunResults, TaskResult


def test_zero_width_ci_is_marked_in_the_run_table() -> None:
    assert percent(0.0, [0.0, 0.0]) == f"0.0 [0.0, 0.0] {ZERO_WIDTH_MARK}"
    assert percent(0.5, [0.4, 0.6]) == "50.0 [40.0, 60.0]"
    block = TaskResult(kind="classification", family="classification", n=10, n_patients=10,
                       metrics={"auroc": MetricValue(0.6, (0.5, 0.7)), "acc": MetricValue(0.8, (0.7, 0.9)),
                                "f1": MetricValue(0.0, (0.0, 0.0))},
                       details={"per_label": {"Pneumonia": {}}, "labels_excluded": [],
                                "threshold_policy": {"name": "fixed"}})
    results = RunResults(schema_version=SCHEMA_VERSION, model="m", config_hash="h", config={}, tasks={"rsna": block},
                         scoring={}, thresholds={})
    console = Console(width=200, record=True)
    console.print(results_table(results, title="t"))
    text = console.export_text()
    assert f"F1 0.0 [0.0, 0.0] {ZERO_WIDTH_MARK}" in text and "zero-width CI" in text
    assert "AUROC 60.0 [50.0, 70.0]" in text and "AUROC labels 1/1 used; thresholds fixed" in text
