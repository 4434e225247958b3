"""Scoring's numpy kernels equal their references: ROC points equal scikit-learn's `roc_curve`, the threshold
counts equal a direct count, and one-pass `label_stats` equals the weighted matrix-product definitions."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import roc_curve

from gazebench.metrics.classification import roc_points, threshold_counts
from gazebench.metrics.weighted import label_stats, prepare

GRID = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5000000001, 0.75, 1.0])


@st.composite
def one_label(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """0/1 targets with both classes and scores on a coarse grid (many ties)."""
    n = draw(st.integers(2, 40))
    y = draw(arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0])))
    y[0], y[-1] = 0.0, 1.0
    return y, draw(arrays(np.float64, (n,), elements=GRID))


@settings(max_examples=150, deadline=None)
@given(one_label())
def test_roc_points_equal_sklearn_roc_curve(c: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = c
    fpr, tpr = roc_points(y, p)
    ref_fpr, ref_tpr, _ = roc_curve(y, p, drop_intermediate=True)
    np.testing.assert_array_equal(fpr, ref_fpr)
    np.testing.assert_array_equal(tpr, ref_tpr)


def test_roc_points_with_every_score_tied_is_the_diagonal_end_points() -> None:
    fpr, tpr = roc_points(np.array([0.0, 1.0, 1.0, 0.0]), np.full(4, 0.3))
    np.testing.assert_array_equal(fpr, [0.0, 1.0])
    np.testing.assert_array_equal(tpr, [0.0, 1.0])


@settings(max_examples=100, deadline=None)
@given(one_label())
def test_threshold_counts_equal_a_direct_count(c: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = c
    scores, tp, fp = threshold_counts(y, p)
    np.testing.assert_array_equal(scores, np.unique(p)[::-1])
    for s, t, f in zip(scores, tp, fp, strict=True):
        assert t == np.sum((p >= s) & (y == 1.0))
        assert f == np.sum((p >= s) & (y == 0.0))


def _reference(y: np.ndarray, p: np.ndarray, t: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The definitions label_stats replaces: pairwise Mann–Whitney per weight row, confusion by matrix products."""
    auc = np.full((w.shape[0], y.shape[1]), np.nan)
    for j in range(y.shape[1]):
        pos, neg = np.flatnonzero(y[:, j] == 1.0), np.flatnonzero(y[:, j] == 0.0)
        if pos.size == 0 or neg.size == 0:
            continue
        d = p[pos, j][:, None] - p[neg, j][None, :]
        win = (d > 0) + 0.5 * (d == 0)
        for b in range(w.shape[0]):
            pairs = w[b, pos].sum() * w[b, neg].sum()
            if pairs > 0:
                auc[b, j] = w[b, pos] @ win @ w[b, neg] / pairs
    pred = p >= t
    is_pos, is_neg = y == 1.0, y == 0.0
    conf = {
        "tp": w @ (is_pos & pred).astype(np.float64),
        "fp": w @ (is_neg & pred).astype(np.float64),
        "fn": w @ (is_pos & ~pred).astype(np.float64),
        "tn": w @ (is_neg & ~pred).astype(np.float64),
    }
    return auc, conf


@st.composite
def weighted_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Masked targets (a label may hold one class or none), tied scores, thresholds on and off the score grid,
    and bootstrap-like integer weight rows (zeros included)."""
    n = draw(st.integers(1, 25))
    n_labels = draw(st.integers(1, 4))
    y = draw(arrays(np.float64, (n, n_labels), elements=st.sampled_from([0.0, 1.0, np.nan])))
    p = draw(arrays(np.float64, (n, n_labels), elements=GRID))
    t = draw(arrays(np.float64, (n_labels,), elements=st.sampled_from([0.0, 0.25, 0.3, 0.5, 1.0])))
    w = draw(arrays(np.float64, (draw(st.integers(1, 5)), n), elements=st.integers(0, 4).map(float)))
    return y, p, t, w


@settings(max_examples=150, deadline=None)
@given(weighted_case())
def test_label_stats_equal_the_matrix_product_definitions(c: tuple[np.ndarray, ...]) -> None:
    y, p, t, w = c
    auc, conf = label_stats(prepare(y, p, t), w)
    ref_auc, ref_conf = _reference(y, p, t, w)
    np.testing.assert_allclose(auc, ref_auc, rtol=0, atol=1e-12, equal_nan=True)
    for name, ref in ref_conf.items():
        np.testing.assert_array_equal(getattr(conf, name), ref, err_msg=name)


def test_label_stats_on_a_single_class_label_gives_nan_auroc_and_exact_counts() -> None:
    y = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, np.nan], [1.0, 0.0]])
    p = np.array([[0.9, 0.8], [0.1, 0.8], [0.6, 0.4], [0.4, 0.6]])
    auc, conf = label_stats(prepare(y, p, [0.5, 0.5]), np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 1.0, 1.0, 0.0]]))
    assert np.isnan(auc[:, 0]).all()
    np.testing.assert_array_equal(conf.tp[:, 0], [2.0, 3.0])
    np.testing.assert_array_equal(conf.fn[:, 0], [2.0, 1.0])
    np.testing.assert_array_equal(conf.fp[:, 0] + conf.tn[:, 0], [0.0, 0.0])
    np.testing.assert_array_equal(auc[:, 1], [0.75, 0.5])  # a tie counts one half
