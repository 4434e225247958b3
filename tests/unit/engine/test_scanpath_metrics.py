"""mimic-eye-scanpath on the simulated study reports the field's scanpath and saliency metrics: MultiMatch equal
to multimatch-gaze on the same scanpaths, ScanMatch, DTW, GazeSearch's SED, shuffled AUC and SIM/NSS under both
conventions, with the ICC form and pairing recorded and selectable."""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from multimatch_gaze import docomparison

from gazebench.engine.config import RunConfig
from gazebench.engine.evaluate import evaluate
from gazebench.engine.kinds import describe_task, task_items
from gazebench.engine.kinds.base import to_image_frame
from gazebench.engine.kinds.scanpath import ScanpathKind
from gazebench.engine.verify import verify_run
from gazebench.gaze.scanpath_similarity import SIMILARITY_METRICS
from gazebench.metrics.agreement import ICC_FORMS, icc
from gazebench.metrics.vocabulary import SALIENCY_METRICS
from gazebench.task import get_task, register_task

TASK = "mimic-eye-scanpath"


@register_task("test-scanpath-icc31")
def scanpath_icc31() -> object:
    return dataclasses.replace(get_task(TASK), name="test-scanpath-icc31", icc_form="3,1")


@pytest.fixture(scope="module")
def runs(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("scanpath-runs")
    return {m: evaluate(RunConfig(model=m, tasks=(TASK, "test-scanpath-icc31"), n_boot=30), output_dir=out,
                        data_root=small_root).run_dir for m in ("oracle", "random")}


def test_every_field_metric_is_reported_with_its_ci(runs: dict[str, Path]) -> None:
    for run in runs.values():
        block = verify_run(run).results.tasks[TASK]
        for k in SIMILARITY_METRICS + SALIENCY_METRICS:
            assert k in block.metrics and len(block.metrics[k].ci) == 2, k
        assert block.metrics["mm_duration"].value is None and "no durations" in block.details["mm_duration_note"]
        for k in ("mm_vector", "mm_position", "scanmatch", "dtw", "sed", "sauc", "auc_borji", "nss", "nss_mit", "sim",
                  "sim_mit"):
            value = block.metrics[k].value
            assert value is not None and math.isfinite(value), k
        undefined = block.details["gaze"]["n_saliency_undefined"]  # every metric counted, none silently
        assert set(undefined) == set(SALIENCY_METRICS)
        assert all(isinstance(v, int) and v >= 0 for v in undefined.values())
        assert "AUC_Borji" in block.details["auc_borji_negatives"]
        assert block.details["icc_form"] == ICC_FORMS["2,1"] and "Hungarian" in block.details["icc_pairing"]
        assert block.details["scanmatch_settings"]["threshold_source"].startswith("2 sd")


def test_oracle_beats_random_on_the_scanpath_metrics(runs: dict[str, Path]) -> None:
    oracle = verify_run(runs["oracle"]).results.tasks[TASK].metrics
    rnd = verify_run(runs["random"]).results.tasks[TASK].metrics
    for k in ("mm_vector", "mm_position", "scanmatch", "sauc", "auc_borji", "nss", "sim"):
        assert oracle[k].value > rnd[k].value, k
    for k in ("dtw", "sed"):
        assert oracle[k].value < rnd[k].value, k


def test_multimatch_on_the_task_equals_multimatch_gaze_on_the_same_scanpaths(runs: dict[str, Path],
                                                                             small_root: Path) -> None:
    """Recompute the reported mm_* from the stored predictions and the readings' regions with docomparison."""
    from gazebench.engine.kinds.columns import stored_points
    from gazebench.engine.predictions import aligned, read_predictions
    from gazebench.engine.workload import run_data

    run = verify_run(runs["random"])
    data = run_data(run.config, small_root)[TASK]
    side = int(run.config["adapter"]["spec"]["image_size"])
    items = task_items(data.task, data.eval_samples, side)
    folder = runs["random"] / "predictions" / TASK
    df = aligned(items.samples, read_predictions(folder), folder)
    per_item = []
    for p, it in zip(stored_points(df, runs["random"]), items.items, strict=True):
        pred = to_image_frame(p, it.image_size, side)
        values = []
        for _, regions in it.reference:
            ref = np.asarray([(r.x, r.y, r.dwell_s) for r in regions.regions])
            if min(len(pred), len(ref)) < 3:
                continue
            a = np.rec.fromarrays([pred[:, 0], pred[:, 1], np.full(len(pred), np.nan)],
                                  names="start_x,start_y,duration")
            b = np.rec.fromarrays(ref.T, names="start_x,start_y,duration")
            values.append(docomparison(a, b, screensize=list(it.image_size))[:4])
        if values:
            per_item.append(np.mean(values, axis=0))
    expected = np.mean(per_item, axis=0)
    block = run.results.tasks[TASK]
    got = [block.metrics[f"mm_{d}"].value for d in ("vector", "direction", "length", "position")]
    assert got == pytest.approx(list(expected), rel=1e-12)


def test_icc_form_is_selectable_and_recorded(runs: dict[str, Path]) -> None:
    results = verify_run(runs["random"]).results.tasks
    default, mixed = results[TASK], results["test-scanpath-icc31"]
    assert mixed.details["icc_form"] == ICC_FORMS["3,1"]
    assert mixed.metrics["icc_x"].value != default.metrics["icc_x"].value
    assert mixed.metrics["dist_px"].value == default.metrics["dist_px"].value
    table = np.array([[10.0, 110.0], [20.0, 121.0], [30.0, 128.0]])  # an offset: consistency high, agreement low
    assert icc(table, "3,1") > 0.9 > 0.1 > icc(table, "2,1")
    assert ScanpathKind.name == "scanpath" and get_task(TASK).grid == (14, 14)


def test_an_unknown_icc_form_is_refused_when_the_task_is_defined() -> None:
    with pytest.raises(ValueError, match="icc_form must be one of 1,1, 2,1, 3,1"):
        dataclasses.replace(get_task(TASK), icc_form="2,k")
    assert describe_task(get_task(TASK))["icc_form"] == "2,1"  # described by the scanpath kind, for its tasks only
    assert "icc_form" not in describe_task(get_task("mimic-eye"))
