"""ECE and Brier against hand-computed values, the weighted form against row duplication, and the CI."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gazebench.metrics.bootstrap import weight_chunks
from gazebench.metrics.calibration import (
    bias_corrected_ci,
    binned,
    calibration_summary,
    reliability,
    weighted_calibration,
)
from gazebench.metrics.inputs import MetricInputError
from gazebench.metrics.weighted import nanmean_rows

Y = np.array([[1.0, np.nan], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])
P = np.array([[0.9, 0.5], [0.8, 0.7], [0.3, 0.6], [0.1, 1.0]])


def test_ece_and_brier_match_hand_computation() -> None:
    # label 0, 2 bins: [0, .5) holds p .3 (y 1), .1 (y 0): |0.5 - 0.2| = .3, weight 2/4;
    # [.5, 1] holds .9 (y 1), .8 (y 0): |0.5 - 0.85| = .35, weight 2/4  ->  ECE = .15 + .175 = .325
    # label 1 (row 0 masked), all in [.5, 1]: mean y 2/3, mean p 2.3/3 -> ECE = 0.3/3 = .1
    out = weighted_calibration(binned(Y, P, n_bins=2), np.ones((1, 4)))
    assert out["ece"][0] == pytest.approx([0.325, 0.1])
    assert out["brier"][0] == pytest.approx([(0.01 + 0.64 + 0.49 + 0.01) / 4, (0.09 + 0.16 + 1.0) / 3])


def test_ten_bins_is_mean_absolute_gap_when_every_score_has_its_own_bin() -> None:
    out = weighted_calibration(binned(Y[:, :1], P[:, :1]), np.ones((1, 4)))
    assert out["ece"][0, 0] == pytest.approx((0.1 + 0.8 + 0.7 + 0.1) / 4)


def test_a_score_of_one_falls_in_the_last_bin() -> None:
    assert binned(np.array([[1.0]]), np.array([[1.0]]), n_bins=10).bins[0, 0] == 9


def test_weights_equal_duplicated_rows() -> None:
    w = np.array([[2.0, 0.0, 1.0, 3.0]])
    rows = np.repeat(np.arange(4), w[0].astype(int))
    weighted = weighted_calibration(binned(Y, P, 3), w)
    copied = weighted_calibration(binned(Y[rows], P[rows], 3), np.ones((1, rows.size)))
    for k in ("ece", "brier"):
        np.testing.assert_allclose(weighted[k], copied[k])


def test_summary_macro_ci_and_reliability() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=(200, 3))
    y = (rng.uniform(size=(200, 3)) < p).astype(float)
    out = calibration_summary(y, p, ("a", "b", "c"), np.arange(200) // 2, n_boot=200, seed=1)
    assert out["ece"] == pytest.approx(np.mean([out["per_label"][k]["ece"] for k in "abc"]))
    for k in ("ece", "brier"):
        lo, hi = out[f"{k}_ci"]
        assert 0 < lo <= out[k] <= hi < 0.3
    assert out["ece_bootstrap_bias"] > 0  # binned ECE is biased upward under resampling
    assert out["ci_method"].startswith("patient bootstrap")
    assert sum(b["n"] for b in out["reliability"]) == 600
    assert out["ece"] < 0.1  # scores drawn calibrated


def test_reliability_bins_and_bad_input() -> None:
    bins = reliability(Y, P, n_bins=2)
    assert [b["n"] for b in bins] == [2, 5]
    assert bins[0]["mean_score"] == pytest.approx(0.2) and bins[0]["positive_rate"] == pytest.approx(0.5)
    assert math.isclose(bins[1]["hi"], 1.0)
    with pytest.raises(MetricInputError):
        binned(Y, P, n_bins=0)


def test_biased_ece_whose_percentile_ci_excluded_the_point_now_contains_it() -> None:
    # 60 images, 5 calibrated labels, 10 bins: a resample duplicates images, so every bin's gap grows and the
    # macro ECE of nearly every replicate exceeds the full set's (the viewer's "ECE 7.5 [8.3, 12.3]")
    rng = np.random.default_rng(0)
    p = rng.uniform(size=(60, 5))
    y = (rng.uniform(size=(60, 5)) < p).astype(float)
    b = binned(y, p)
    point = float(nanmean_rows(weighted_calibration(b, np.ones((1, 60)))["ece"])[0])
    reps = np.concatenate([nanmean_rows(weighted_calibration(b, w)["ece"])
                           for w in weight_chunks(np.arange(60), 60, 300, 0)])
    lo_pct, hi_pct = np.percentile(reps, [2.5, 97.5])
    assert point < lo_pct  # the plain percentile interval lies above its own point
    lo, hi = bias_corrected_ci(point, reps)
    assert lo < point < hi
    median_bias = float(np.median(reps)) - point
    assert (lo, hi) == pytest.approx((lo_pct - median_bias, hi_pct - median_bias))
    out = calibration_summary(y, p, tuple("abcde"), np.arange(60), n_boot=300, seed=0)
    assert out["ece"] == pytest.approx(point) and out["ece_ci"] == pytest.approx([lo, hi])
    assert out["ece_bootstrap_bias"] == pytest.approx(reps.mean() - point)


def test_bias_corrected_ci_edge_cases() -> None:
    assert bias_corrected_ci(0.1, np.array([np.nan, np.nan])) == (pytest.approx(np.nan, nan_ok=True),) * 2
    assert np.isnan(bias_corrected_ci(float("nan"), np.array([0.1, 0.2]))[0])
    assert bias_corrected_ci(0.5, np.full(10, 0.7)) == pytest.approx((0.5, 0.5))
    with pytest.raises(MetricInputError):
        bias_corrected_ci(0.1, np.array([0.1]), level=1.0)
