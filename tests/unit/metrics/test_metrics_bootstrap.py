"""Cluster bootstrap: replicates equal the metrics recomputed on the resampled rows, whole patients
move together, CIs behave, dropped replicates are counted, and the paired test separates models."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from gazebench.metrics import (
    MetricInputError,
    bootstrap_ci,
    bootstrap_distribution,
    paired_bootstrap,
    resample_indices,
    summary,
)


def _sklearn_macros(y: np.ndarray, p: np.ndarray, t: float) -> tuple[float, float, float]:
    """Macro AUROC (labels with both classes), accuracy and F1 (labels with rows), via scikit-learn."""
    aucs, accs, f1s = [], [], []
    for j in range(y.shape[1]):
        ok = ~np.isnan(y[:, j])
        if not ok.any():
            continue
        yv, pred = y[ok, j], (p[ok, j] >= t).astype(int)
        accs.append(accuracy_score(yv, pred))
        f1s.append(f1_score(yv, pred, zero_division=np.nan))
        if len(np.unique(yv)) == 2:
            aucs.append(roc_auc_score(yv, p[ok, j]))
    mean_auc = float(np.mean(aucs)) if aucs else np.nan
    mean_f1 = float(np.nanmean(f1s)) if not np.isnan(f1s).all() else np.nan
    return mean_auc, float(np.mean(accs)), mean_f1


MakeCase = Callable[..., Any]


def test_replicates_equal_sklearn_on_the_resampled_rows(case: MakeCase) -> None:
    c = case(40, n_labels=3, seed=1, mask=0.2, per_patient=3)
    c.y[:, 2] = np.nan
    c.y[[0, 7], 2] = [1.0, 0.0]  # a rare label: one class (or none) in many replicates
    dist = bootstrap_distribution(c.y, c.p, 0.5, c.patients, n_boot=25, seed=3)
    for r, idx in enumerate(resample_indices(c.patients, n_boot=25, seed=3)):
        auc, acc, f1 = _sklearn_macros(c.y[idx], c.p[idx], 0.5)
        assert dist.values["auroc"][r] == pytest.approx(auc, abs=1e-9)
        assert dist.values["acc"][r] == pytest.approx(acc, abs=1e-9)
        assert dist.values["f1"][r] == pytest.approx(f1, abs=1e-9)


def test_whole_patients_are_resampled_together() -> None:
    patients = np.array(["a", "b", "b", "c", "c", "c", "d", "a", "e"])
    n_clusters = len(set(patients))
    for idx in resample_indices(patients, n_boot=50, seed=0):
        times = np.bincount(idx, minlength=patients.size)
        for pid in set(patients):
            assert len(set(times[patients == pid])) == 1  # every image of a patient drawn equally often
        drawn = {pid: times[patients == pid][0] for pid in set(patients)}
        assert sum(drawn.values()) == n_clusters  # n_clusters draws of whole patients


def test_cluster_bootstrap_of_duplicated_images_equals_image_bootstrap_of_originals(case: MakeCase) -> None:
    c = case(60, seed=2, mask=0.0)
    dup = np.repeat(np.arange(60), 4)
    wide = bootstrap_ci(c.y[dup], c.p[dup], 0.5, np.arange(60)[dup], n_boot=200, seed=5)
    base = bootstrap_ci(c.y, c.p, 0.5, np.arange(60), n_boot=200, seed=5)
    naive = bootstrap_ci(c.y[dup], c.p[dup], 0.5, np.arange(240), n_boot=200, seed=5)
    for k in ("auroc", "acc", "f1"):
        assert wide[k] == pytest.approx(base[k], abs=1e-12)
        assert naive[k][1] - naive[k][0] < 0.75 * (wide[k][1] - wide[k][0])  # ignoring clusters: too narrow


def test_ci_contains_point_estimate_and_is_reproducible(case: MakeCase) -> None:
    c = case(300, n_labels=4, seed=4)
    point = summary(c.y, c.p, 0.5, ["a", "b", "c", "d"])
    ci = bootstrap_ci(c.y, c.p, 0.5, c.patients, n_boot=300, seed=11)
    for k in ("auroc", "acc", "f1"):
        assert ci[k][0] < point[k] < ci[k][1]
    assert bootstrap_ci(c.y, c.p, 0.5, c.patients, n_boot=300, seed=11) == ci
    assert bootstrap_ci(c.y, c.p, 0.5, c.patients, n_boot=300, seed=12) != ci
    narrow = bootstrap_ci(c.y, c.p, 0.5, c.patients, n_boot=300, seed=11, level=0.5)
    assert ci["auroc"][0] < narrow["auroc"][0] < narrow["auroc"][1] < ci["auroc"][1]


def test_ci_narrows_with_more_data(case: MakeCase) -> None:
    small, large = case(150, seed=6), case(1200, seed=6)
    w_small = bootstrap_ci(small.y, small.p, 0.5, small.patients, n_boot=300, seed=0)
    w_large = bootstrap_ci(large.y, large.p, 0.5, large.patients, n_boot=300, seed=0)
    for k in ("auroc", "acc", "f1"):
        assert w_large[k][1] - w_large[k][0] < 0.6 * (w_small[k][1] - w_small[k][0])


def test_replicates_with_no_evaluable_label_are_dropped_and_counted() -> None:
    y = np.array([[1.0], [0.0], [0.0], [0.0], [0.0], [0.0]])
    p = np.array([[0.9], [0.1], [0.2], [0.3], [0.95], [0.4]])
    ids = np.arange(6)
    dist = bootstrap_distribution(y, p, 0.5, ids, n_boot=200, seed=2, stats=("auroc", "acc", "micro_f1"))
    draws = resample_indices(ids, n_boot=200, seed=2)
    without_positive = sum(0 not in idx for idx in draws)
    # F1 is undefined with no positive and no predicted positive (row 4 is the only false positive)
    f1_undefined = sum(0 not in idx and 4 not in idx for idx in draws)
    assert dist.n_dropped == {"auroc": without_positive, "acc": 0, "micro_f1": f1_undefined}
    assert 0 < without_positive < 200
    lo, hi = dist.ci()["auroc"]
    assert 0.0 <= lo <= hi <= 1.0


def test_paired_bootstrap_separates_a_better_model_from_an_identical_one(case: MakeCase) -> None:
    weak, strong = case(300, seed=8, signal=0.3), case(300, seed=8, signal=2.0)
    assert np.array_equal(weak.y, strong.y, equal_nan=True)
    res = paired_bootstrap(weak.y, weak.p, strong.p, 0.5, 0.5, weak.patients, n_boot=300, seed=1)
    for k in ("auroc", "acc", "f1"):
        assert res[k]["diff"] > 0 and res[k]["ci"][0] > 0 and res[k]["p_value"] < 0.01
    same = paired_bootstrap(weak.y, weak.p, weak.p, 0.5, 0.5, weak.patients, n_boot=300, seed=1)
    for k in ("auroc", "acc", "f1"):
        assert same[k] == {"diff": 0.0, "ci": (0.0, 0.0), "p_value": 1.0, "n_dropped": 0, "sd": 0.0, "mdd": 0.0}
    swapped = paired_bootstrap(weak.y, strong.p, weak.p, 0.5, 0.5, weak.patients, n_boot=300, seed=1)
    assert swapped["auroc"]["diff"] == pytest.approx(-res["auroc"]["diff"])
    assert swapped["auroc"]["p_value"] == res["auroc"]["p_value"]


def test_paired_replicates_use_the_same_draws_for_both_models(case: MakeCase) -> None:
    a, b = case(80, seed=9, signal=0.5), case(80, seed=9, signal=1.0)
    da = bootstrap_distribution(a.y, a.p, 0.5, a.patients, n_boot=100, seed=4)
    db = bootstrap_distribution(a.y, b.p, 0.4, a.patients, n_boot=100, seed=4)
    res = paired_bootstrap(a.y, a.p, b.p, 0.5, 0.4, a.patients, n_boot=100, seed=4)
    for k in ("auroc", "acc", "f1"):
        d = db.values[k] - da.values[k]
        assert res[k]["ci"] == pytest.approx(tuple(np.percentile(d, [2.5, 97.5])))


def test_paired_bootstrap_with_nothing_evaluable_is_json_ready() -> None:
    y = np.array([[0.0], [0.0], [np.nan]])
    p = np.array([[0.2], [0.7], [0.5]])
    res = paired_bootstrap(y, p, 1 - p, 0.5, 0.5, ["a", "b", "c"], n_boot=20, seed=0, stats=("auroc", "acc"))
    assert res["auroc"] == {"diff": None, "ci": (None, None), "p_value": None, "n_dropped": 20, "sd": None, "mdd": None}
    assert res["acc"]["diff"] == 0.0 and res["acc"]["p_value"] == 1.0
    json.dumps(res, allow_nan=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"clusters": np.arange(3)}, "clusters has 3 ids but there are 4 rows"),
        ({"n_boot": 0}, "n_boot must be a positive integer"),
        ({"level": 1.0}, "level must lie strictly between 0 and 1"),
        ({"stats": ("auroc", "auprc")}, r"unknown statistic\(s\) \['auprc'\]"),
    ],
)
def test_bad_bootstrap_arguments_are_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"clusters": np.arange(4)} | kwargs
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    with pytest.raises(MetricInputError, match=message):
        bootstrap_ci(y, np.full((4, 1), 0.5), 0.5, **args)
