"""The one metric vocabulary: families, order, directions, and that scoring and the lm-eval bridge follow it."""
from __future__ import annotations

import dataclasses

import pytest

from gazebench.errors import ConfigError
from gazebench.metrics import STAT_NAMES
from gazebench.metrics.vocabulary import METRIC_FAMILIES, METRICS, Metric, metric_names, metrics_for


def test_classification_family() -> None:
    assert metric_names("classification") == ("auroc", "acc", "f1")
    assert [m.display for m in metrics_for("classification")] == ["AUROC", "Acc", "F1"]
    auroc = METRICS["auroc"]
    assert auroc.higher_is_better and auroc.ci_key == "auroc_ci" and auroc.unit == "%"
    assert auroc.display_value(0.876) == pytest.approx(87.6)


def test_registry_is_consistent_and_read_only() -> None:
    declared = [m for family in METRIC_FAMILIES.values() for m in family]
    assert len({m.name for m in declared}) == len(declared) == len(METRICS)
    assert all(m.family == name for name, family in METRIC_FAMILIES.items() for m in family)
    assert set(metric_names("classification")) <= set(STAT_NAMES)  # the bootstrap can resample each of them
    with pytest.raises(TypeError):
        METRICS["x"] = METRICS["auroc"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        METRICS["auroc"].name = "x"  # type: ignore[misc]
    assert isinstance(METRICS["f1"], Metric)


def test_unknown_family_is_one_line() -> None:
    with pytest.raises(ConfigError, match="unknown metric family 'segmentation' \\(known: calibration, "
                       "classification, grounding, report, scanpath, vqa\\)"):
        metrics_for("segmentation")


def test_lm_eval_metric_list_follows_the_vocabulary() -> None:
    from gazebench.bridges.lm_eval.tasks import task_config

    listed = task_config("mimic-eye", data_root=".")["metric_list"]
    names = metric_names("classification")
    assert [m["metric"] for m in listed] == [*names, *(f"{n}_chexpert5" for n in names)]
    assert all(m["higher_is_better"] is METRICS[m["aggregation"].stat].higher_is_better for m in listed)
