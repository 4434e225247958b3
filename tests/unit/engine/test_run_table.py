"""The table `gazebench run` prints: a zero-width CI is marked and explained, never shown as a precise number."""
from __future__ import annotations

from rich.console import Console

from gazebench.engine.report import percent, results_table
from gazebench.metrics.power import ZERO_WIDTH_MARK
from gazebench.paper.runner import PaperSettings


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


def test_a_label_never_predicted_positive_is_explained_and_the_paper_policy_stated() -> None:
    def block(n_pred_pos: int | None) -> dict:
        per = {"Pneumonia": {"n_pos": 47, "n_neg": 133, "threshold": 0.5}}
        if n_pred_pos is not None:
            per["Pneumonia"]["n_pred_pos"] = n_pred_pos
        return {"auroc": 0.57, "auroc_ci": [0.47, 0.65], "acc": 0.74, "acc_ci": [0.68, 0.8], "f1": 0.0,
                "f1_ci": [0.0, 0.0], "n": 180, "n_patients": 180, "per_label": per, "labels_excluded": [],
                "threshold_policy": {"name": "fixed"}}

    console = Console(width=300, record=True)
    console.print(results_table({"results": {"rsna": block(0), "siim-acr": block(3), "old": block(None)}}))
    text = " ".join(console.export_text().split())
    assert "rsna: no score crossed the fixed threshold on 1/1 labels (Pneumonia): every prediction is No" in text
    assert "siim-acr: no score" not in text and "old: no score" not in text  # some Yes / no count recorded
    assert "`gazebench paper-table` scores Acc/F1 with max-f1 thresholds" in text
    assert PaperSettings().threshold_policy == "max-f1"  # the note names the paper table's actual default
