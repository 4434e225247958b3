"""The table `gazebench run` prints: a zero-width CI is marked and explained, never shown as a precise number."""
from __future__ import annotations

from rich.console import Console

from gazebench.engine.report import percent, results_table
from gazebench.metrics.power import ZERO_WIDTH_MARK


def test_zero_width_ci_is_marked_in_the_run_table() -> None:
    assert percent(0.0, [0.0, 0.0]) == f"0.0 [0.0, 0.0] {ZERO_WIDTH_MARK}"
    assert percent(0.5, [0.4, 0.6]) == "50.0 [40.0, 60.0]"
    block = {"auroc": 0.6, "auroc_ci": [0.5, 0.7], "acc": 0.8, "acc_ci": [0.7, 0.9], "f1": 0.0, "f1_ci": [0.0, 0.0],
             "n": 10, "n_patients": 10, "per_label": {"Pneumonia": {}}, "labels_excluded": [],
             "threshold_policy": {"name": "fixed"}}
    console = Console(width=200, record=True)
    console.print(results_table({"results": {"rsna": block}}, title="t"))
    text = console.export_text()
    assert f"0.0 [0.0, 0.0] {ZERO_WIDTH_MARK}" in text and "zero-width CI" in text
