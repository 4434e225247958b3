"""Thresholds: fixed, tuned by max-F1 / Youden on hand examples, fallbacks, ties, and the policy record."""
from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

from gazebench.metrics import MetricInputError, ThresholdPolicy, label_metrics, thresholds, tuned_policy


def test_fixed_is_one_value_per_label() -> None:
    np.testing.assert_array_equal(thresholds.fixed(3), [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(thresholds.fixed(2, 0.3), [0.3, 0.3])
    with pytest.raises(MetricInputError, match=r"in \[0, 1\]"):
        thresholds.fixed(2, 1.5)


def test_tune_takes_validation_arrays_only() -> None:
    assert list(inspect.signature(thresholds.tune).parameters) == ["y_val", "p_val", "method"]


# Label 0, sorted by score:  .9+ .8- .7+ .6+ .3- .2+ .1-   (4 positives, 3 negatives)
# threshold  .9: tp1 fp0 -> F1 2/5,  J 1/4
#            .8: tp1 fp1 -> F1 2/6,  J 1/4-1/3
#            .7: tp2 fp1 -> F1 4/7,  J 1/2-1/3
#            .6: tp3 fp1 -> F1 6/8,  J 3/4-1/3 = 5/12   <- max F1 (0.75)
#            .3: tp3 fp2 -> F1 6/9,  J 3/4-2/3
#            .2: tp4 fp2 -> F1 8/10, J 1-2/3 = 1/3      <- max F1 (0.8)
#            .1: tp4 fp3 -> F1 8/11, J 0
HAND_Y = np.array([1, 0, 1, 1, 0, 1, 0], dtype=float)
HAND_P = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1])


def test_tune_max_f1_and_youden_on_a_hand_example() -> None:
    assert thresholds.tune(HAND_Y, HAND_P, "max-f1")[0] == pytest.approx(0.2)
    assert thresholds.tune(HAND_Y, HAND_P, "youden")[0] == pytest.approx(0.6)
    m = label_metrics(HAND_Y, HAND_P, thresholds.tune(HAND_Y, HAND_P, "max-f1"))
    assert m.f1[0] == pytest.approx(0.8)


def test_tune_ignores_masked_rows_and_falls_back_on_one_class() -> None:
    y = np.column_stack([np.r_[HAND_Y, np.nan], np.r_[np.zeros(7), np.nan], np.full(8, np.nan)])
    p = np.column_stack([np.r_[HAND_P, 0.05], np.linspace(0, 1, 8), np.linspace(0, 1, 8)])
    np.testing.assert_allclose(thresholds.tune(y, p, "youden"), [0.6, 0.5, 0.5])


def test_tied_optima_resolve_to_the_highest_threshold() -> None:
    # .8+ .6- .4+ .2- : Youden is 1/2 at .8 and at .4
    y = np.array([1, 0, 1, 0], dtype=float)
    p = np.array([0.8, 0.6, 0.4, 0.2])
    assert thresholds.tune(y, p, "youden")[0] == 0.8
    assert thresholds.tune(y[::-1], p[::-1], "youden")[0] == 0.8  # row order does not matter
    # .9+ .8- .7- .6+ : F1 is 2/3 at .9 (tp1 fp0) and at .6 (tp2 fp2)
    y = np.array([1, 0, 0, 1], dtype=float)
    p = np.array([0.9, 0.8, 0.7, 0.6])
    assert thresholds.tune(y, p, "max-f1")[0] == 0.9


def test_tied_scores_are_one_candidate() -> None:
    y = np.array([1, 0, 1, 0], dtype=float)
    p = np.array([0.5, 0.5, 0.9, 0.1])
    assert thresholds.tune(y, p, "youden")[0] == 0.9  # J(.9)=1/2 ties J(.5)=1-1/2; J(.1)=0
    assert thresholds.tune(y, p, "max-f1")[0] == 0.5  # F1(.9)=2/3, F1(.5)=4/5, F1(.1)=2/3


def test_unknown_method_is_an_error() -> None:
    with pytest.raises(MetricInputError, match="unknown threshold method 'f2'"):
        thresholds.tune(HAND_Y, HAND_P, "f2")  # type: ignore[arg-type]


def test_policy_records_rule_values_and_source() -> None:
    fixed = ThresholdPolicy("fixed")
    np.testing.assert_array_equal(fixed.array(2), [0.5, 0.5])
    assert fixed.describe() == {"name": "fixed", "values": None, "source": "0.5"}
    tuned = tuned_policy(HAND_Y, HAND_P, "max-f1", "mimic-eye validate split")
    assert json.loads(json.dumps(tuned.describe())) == {
        "name": "max-f1",
        "values": [pytest.approx(0.2)],
        "source": "mimic-eye validate split",
    }
    with pytest.raises(MetricInputError, match=r"shape \(3,\)"):
        tuned.array(3)
    with pytest.raises(MetricInputError, match="needs tuned values"):
        ThresholdPolicy("youden")
    with pytest.raises(MetricInputError, match="unknown threshold policy"):
        ThresholdPolicy("best")  # type: ignore[arg-type]
