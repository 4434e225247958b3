"""DeLong: AUCs equal scikit-learn, the covariance equals the O(m·n) textbook form, the variance
agrees with the bootstrap, and the Holm adjustment and per-label report are right."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from gazebench.metrics import bootstrap_distribution, delong_covariance, delong_macro, delong_test, holm

MakeCase = Callable[..., Any]


def _textbook_covariance(y: np.ndarray, scores: list[np.ndarray]) -> np.ndarray:
    """DeLong 1988 with the pairwise kernel psi = 1 / ½ / 0, written out over all (pos, neg) pairs."""
    v10, v01 = [], []
    for s in scores:
        x, z = s[y == 1][:, None], s[y == 0][None, :]
        psi = (x > z) + 0.5 * (x == z)
        v10.append(psi.mean(axis=1))
        v01.append(psi.mean(axis=0))
    return np.cov(np.array(v10)) / len(v10[0]) + np.cov(np.array(v01)) / len(v01[0])


def test_aucs_equal_sklearn_and_covariance_equals_textbook(case: MakeCase) -> None:
    c = case(120, n_labels=3, seed=3, mask=0.2)
    ok = ~np.isnan(c.y[:, 0])
    aucs, cov = delong_covariance(c.y[:, 0], [c.p[:, 0], c.p[:, 1], c.p[:, 2]])
    for k in range(3):
        assert aucs[k] == pytest.approx(roc_auc_score(c.y[ok, 0], c.p[ok, k]), abs=1e-12)
    expected = _textbook_covariance(c.y[ok, 0], [c.p[ok, k] for k in range(3)])
    np.testing.assert_allclose(cov, expected, atol=1e-14)


def test_delong_standard_errors_match_the_bootstrap(case: MakeCase) -> None:
    a, b = case(2000, n_labels=1, seed=5, signal=0.6, mask=0.0), case(2000, n_labels=1, seed=6, signal=0.8, mask=0.0)
    y = a.y
    ids = np.arange(2000)
    _, cov = delong_covariance(y, [a.p, b.p])
    boot_a = bootstrap_distribution(y, a.p, 0.5, ids, n_boot=400, seed=0, stats=("auroc",)).values["auroc"]
    boot_b = bootstrap_distribution(y, b.p, 0.5, ids, n_boot=400, seed=0, stats=("auroc",)).values["auroc"]
    assert np.sqrt(cov[0, 0]) == pytest.approx(boot_a.std(ddof=1), rel=0.15)
    assert np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]) == pytest.approx((boot_b - boot_a).std(ddof=1), rel=0.15)


def test_delong_test_detects_a_better_model_and_not_an_identical_one(case: MakeCase) -> None:
    weak, strong = case(400, n_labels=1, seed=7, signal=0.3), case(400, n_labels=1, seed=7, signal=1.5)
    r = delong_test(weak.y, weak.p, strong.p)
    assert r.auc_a < r.auc_b and r.z < 0 and r.p_value < 1e-6
    swapped = delong_test(weak.y, strong.p, weak.p)
    assert swapped.z == pytest.approx(-r.z) and swapped.p_value == pytest.approx(r.p_value)
    same = delong_test(weak.y, weak.p, weak.p)
    assert (same.z, same.p_value) == (0.0, 1.0)
    monotone = delong_test(weak.y, weak.p, weak.p**2)  # same ranking, different scores
    assert (monotone.z, monotone.p_value) == (0.0, 1.0)


def test_single_class_label_is_not_testable() -> None:
    r = delong_test(np.array([0.0, 0.0, np.nan]), np.array([0.1, 0.2, 0.3]), np.array([0.3, 0.2, 0.1]))
    assert np.isnan(r.auc_a) and np.isnan(r.z) and np.isnan(r.p_value)


def test_holm_adjustment_by_hand() -> None:
    adjusted = holm([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_allclose(adjusted[:3], [0.03, 0.06, 0.06])
    assert np.isnan(adjusted[3])
    np.testing.assert_allclose(holm([0.5, 0.9]), [1.0, 1.0])


def test_delong_macro_reports_per_label_holm_and_exclusions(case: MakeCase) -> None:
    weak, strong = case(400, n_labels=3, seed=8, signal=0.2), case(400, n_labels=3, seed=8, signal=1.5)
    y = weak.y.copy()
    y[:, 2] = np.where(np.isnan(y[:, 2]), np.nan, 0.0)  # one class: cannot be tested
    p_b = strong.p.copy()
    p_b[:, 1] = weak.p[:, 1]  # no difference on label 1
    out = delong_macro(y, weak.p, p_b, labels=["Edema", "Fracture", "Pleural Other"])
    json.dumps(out, allow_nan=False)
    per = out["per_label"]
    assert out["labels_excluded"] == ["Pleural Other"]
    assert per["Pleural Other"]["p_value"] is None and per["Pleural Other"]["p_holm"] is None
    assert per["Fracture"]["p_value"] == 1.0
    single = delong_test(y[:, 0], weak.p[:, 0], p_b[:, 0])
    assert per["Edema"]["p_value"] == pytest.approx(single.p_value)
    assert per["Edema"]["p_holm"] == pytest.approx(min(1.0, 2 * single.p_value))
    assert out["holm_significant"] == ["Edema"]
