"""Per-label AUROC/accuracy/F1 agree with scikit-learn on masked inputs with ties; macros and summary."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from gazebench.errors import GazebenchError
from gazebench.metrics import MetricInputError, auroc, label_metrics, summary


@st.composite
def masked_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Targets with NaN masks, scores on a coarse grid (many ties) and per-label thresholds."""
    n = draw(st.integers(1, 30))
    n_labels = draw(st.integers(1, 4))
    y = draw(arrays(np.float64, (n, n_labels), elements=st.sampled_from([0.0, 1.0, np.nan])))
    p = draw(arrays(np.float64, (n, n_labels), elements=st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.75, 1.0])))
    t = draw(arrays(np.float64, (n_labels,), elements=st.sampled_from([0.0, 0.25, 0.5, 0.6, 1.0])))
    return y, p, t


@settings(max_examples=80, deadline=None)
@given(masked_case())
def test_per_label_metrics_equal_sklearn(c: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    y, p, t = c
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = label_metrics(y, p, t)
        a = auroc(y, p)
    np.testing.assert_array_equal(a, m.auroc)
    for j in range(y.shape[1]):
        ok = ~np.isnan(y[:, j])
        yv, pv = y[ok, j], p[ok, j]
        assert m.n_pos[j] == (yv == 1).sum() and m.n_neg[j] == (yv == 0).sum()
        if ok.sum() == 0:
            assert np.isnan(m.acc[j]) and np.isnan(m.f1[j]) and np.isnan(m.auroc[j])
            continue
        pred = (pv >= t[j]).astype(int)
        assert m.acc[j] == pytest.approx(accuracy_score(yv, pred), abs=1e-9)
        assert m.f1[j] == pytest.approx(f1_score(yv, pred, zero_division=np.nan), abs=1e-9, nan_ok=True)
        if len(np.unique(yv)) == 2:
            assert m.auroc[j] == pytest.approx(roc_auc_score(yv, pv), abs=1e-9)
        else:
            assert np.isnan(m.auroc[j])


@settings(max_examples=40, deadline=None)
@given(masked_case())
def test_summary_macros_are_label_means_and_micro_f1_pools(c: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    y, p, t = c
    names = [f"L{j}" for j in range(y.shape[1])]
    s = summary(y, p, t, names)
    json.dumps(s, allow_nan=False)
    m = label_metrics(y, p, t)
    used = ~np.isnan(m.auroc)
    assert s["auroc_labels_used"] == used.sum()
    assert s["auroc_labels_excluded"] == [n for n, u in zip(names, used, strict=True) if not u]
    assert s["auroc"] == (pytest.approx(m.auroc[used].mean(), abs=1e-12) if used.any() else None)
    ok = ~np.isnan(y)
    if ok.any():
        assert s["acc"] == pytest.approx(np.nanmean(m.acc), abs=1e-12)
        defined = ~np.isnan(m.f1)
        assert s["f1"] == (pytest.approx(m.f1[defined].mean(), abs=1e-12) if defined.any() else None)
        pred = (p >= t)[ok].astype(int)
        expected = f1_score(y[ok], pred, zero_division=np.nan)
        assert (s["micro_f1"] is None and np.isnan(expected)) or s["micro_f1"] == pytest.approx(expected, abs=1e-9)
    else:
        assert s["acc"] is None and s["f1"] is None and s["micro_f1"] is None


def test_single_class_labels_are_excluded_and_named_never_nan_in_macro() -> None:
    y = np.array([[1, 0, np.nan], [0, 0, np.nan], [1, 0, 1], [0, 0, np.nan]], dtype=float)
    p = np.array([[0.9, 0.1, 0.2], [0.2, 0.7, 0.3], [0.6, 0.3, 0.9], [0.6, 0.2, 0.1]])
    s = summary(y, p, 0.5, ["Atelectasis", "Fracture", "Lung Lesion"])
    assert s["auroc"] == pytest.approx(0.875)  # only Atelectasis: pairs (.9,.6,.6,.2) -> 3.5/4
    assert s["auroc_labels_used"] == 1
    assert s["auroc_labels_excluded"] == ["Fracture", "Lung Lesion"]
    per = s["per_label"]
    assert isinstance(per, dict)
    assert per["Fracture"] == {"auroc": None, "acc": 0.75, "f1": 0.0, "n_pos": 0, "n_neg": 4, "n_pred_pos": 1,
                               "threshold": 0.5}
    assert [per[k]["n_pred_pos"] for k in ("Atelectasis", "Lung Lesion")] == [3, 1]
    assert per["Lung Lesion"]["acc"] == 1.0 and per["Lung Lesion"]["n_pos"] == 1


def test_hand_example_accuracy_f1_at_threshold() -> None:
    y = np.array([1, 1, 0, 0, 1], dtype=float)
    p = np.array([0.7, 0.5, 0.5, 0.1, 0.2])
    m = label_metrics(y, p, 0.5)  # predictions 1 1 1 0 0: tp 2, fp 1, fn 1, tn 1
    assert m.acc[0] == pytest.approx(3 / 5)
    assert m.f1[0] == pytest.approx(4 / 6)
    assert m.auroc[0] == pytest.approx((2 + 1.5 + 1) / 6)  # positives .7 .5 .2 vs negatives .5 .1


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([[1.0, 2.0]], [[0.5, 0.5]], "targets must be 0, 1 or NaN"),
        ([[1.0, 0.0]], [[0.5, np.nan]], "must be finite; found nan at row 0, column 1"),
        ([[1.0, 0.0]], [[0.5, 1.5]], r"must lie in \[0, 1\]"),
        ([[1.0, 0.0]], [[0.5, 0.5, 0.5]], "have shape"),
    ],
)
def test_bad_input_is_a_one_line_gazebench_error(y: list, p: list, message: str) -> None:
    with pytest.raises(MetricInputError, match=message) as err:
        label_metrics(np.array(y), np.array(p), 0.5)
    assert isinstance(err.value, GazebenchError) and "\n" not in str(err.value)


def test_label_names_must_match_columns() -> None:
    with pytest.raises(MetricInputError, match="2 label names given for 1 target columns"):
        summary(np.array([[1.0], [0.0]]), np.array([[0.3], [0.2]]), 0.5, ["a", "b"])
