"""ECE and Brier against hand-computed values, the weighted form against row duplication, and the CI."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gazebench.metrics.calibration import binned, calibration_summary, reliability, weighted_calibration
from gazebench.metrics.inputs import MetricInputError

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
    lo, hi = out["ece_ci"]
    assert 0 < lo < hi < 0.2  # binned ECE is biased upward under resampling: its CI may sit above the point
    assert out["brier_ci"][0] <= out["brier"] <= out["brier_ci"][1]
    assert sum(b["n"] for b in out["reliability"]) == 600
    assert out["ece"] < 0.1  # scores drawn calibrated


def test_reliability_bins_and_bad_input() -> None:
    bins = reliability(Y, P, n_bins=2)
    assert [b["n"] for b in bins] == [2, 5]
    assert bins[0]["mean_score"] == pytest.approx(0.2) and bins[0]["positive_rate"] == pytest.approx(0.5)
    assert math.isclose(bins[1]["hi"], 1.0)
    with pytest.raises(MetricInputError):
        binned(Y, P, n_bins=0)
