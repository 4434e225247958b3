"""The table `gazebench run` prints: a zero-width CI is marked and explained, never shown as a precise number."""
from __future__ import annotations

from rich.console import Console

from gazebench.engine.run_table import percent, results_table
from gazebench.metrics.power import ZERO_WIDTH_MARK
from gazebench.paper.runner import PaperSettings
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


def test_a_label_never_predicted_positive_is_explained_and_the_paper_policy_stated() -> None:
    def block(n_pred_pos: int | None) -> TaskResult:
        per = {"Pneumonia": {"n_pos": 47, "n_neg": 133, "threshold": 0.5}}
        if n_pred_pos is not None:
            per["Pneumonia"]["n_pred_pos"] = n_pred_pos
        return TaskResult(kind="classification", family="classification", n=180, n_patients=180,
                          metrics={"auroc": MetricValue(0.57, (0.47, 0.65)), "acc": MetricValue(0.74, (0.68, 0.8)),
                                   "f1": MetricValue(0.0, (0.0, 0.0))},
                          details={"per_label": per, "labels_excluded": [], "threshold_policy": {"name": "fixed"}})

    results = RunResults(schema_version=SCHEMA_VERSION, model="m", config_hash="h", config={}, scoring={},
                         thresholds={}, tasks={"rsna": block(0), "siim-acr": block(3), "old": block(None)})
    console = Console(width=300, record=True)
    console.print(results_table(results))
    text = " ".join(console.export_text().split())
    assert "rsna: no score crossed the fixed threshold on 1/1 labels (Pneumonia): every prediction is No" in text
    assert "siim-acr: no score" not in text and "old: no score" not in text  # some Yes / no count recorded
    assert "`gazebench paper-table` scores Acc/F1 with max-f1 thresholds" in text
    assert PaperSettings().threshold_policy == "max-f1"  # the note names the paper table's actual default
