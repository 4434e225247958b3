"""K-cell sequence metrics against hand-computed values and plain reference implementations."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

from gazebench.gaze.alignment import (
    edit_distance,
    exact_position_accuracy,
    kendall_tau,
    mean_grid_distance,
    scanpath_summary,
    topk_overlap,
)

PRED = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
REF = np.array([[1, 2, 4, 3], [5, 0, 7, 9]])


def test_exact_position_accuracy() -> None:
    assert exact_position_accuracy(PRED, REF).tolist() == [1.0, 0.5, 0.5, 0.0]
    assert exact_position_accuracy([1, 2], [1, 3]).tolist() == [1.0, 0.0]


def test_mean_grid_distance_in_cells() -> None:
    # 4x4 grid: 0=(0,0) 5=(1,1) 15=(3,3) 3=(0,3)
    got = mean_grid_distance([[0, 5], [15, 3]], [[5, 5], [0, 0]], (4, 4))
    assert got == pytest.approx([np.sqrt(2) / 2, (np.sqrt(18) + 3) / 2])


def levenshtein(a: list[int], b: list[int]) -> int:
    if not a or not b:
        return len(a) + len(b)
    return min(levenshtein(a[1:], b) + 1, levenshtein(a, b[1:]) + 1, levenshtein(a[1:], b[1:]) + (a[0] != b[0]))


def test_edit_distance_hand_values() -> None:
    got = edit_distance([[1, 2, 3], [1, 2, 3], [1, 2, 3]], [[3, 2, 1], [1, 2, 3], [7, 8, 9]])
    assert got.tolist() == pytest.approx([2 / 3, 0.0, 1.0])
    assert edit_distance([1, 2, 3, 4], [2, 3, 4, 5]).tolist() == [0.5]
    assert edit_distance([1, 2, 3, 4], [2, 3]).tolist() == [0.5]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=4, max_size=4), min_size=1, max_size=5),
       st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=5, max_size=5))
def test_edit_distance_matches_recursive_levenshtein(pred: list[list[int]], ref: list[list[int]]) -> None:
    ref = ref[: len(pred)]
    got = edit_distance(pred, ref)
    assert got.tolist() == pytest.approx([levenshtein(p, r) / 4 for p, r in zip(pred, ref, strict=True)])


def test_topk_overlap_is_set_iou() -> None:
    got = topk_overlap([[1, 2, 3, 4], [1, 1, 2, 2], [1, 2, 3, 4]], [[3, 4, 5, 6], [2, 3, 3, 3], [4, 3, 2, 1]])
    assert got.tolist() == pytest.approx([2 / 6, 1 / 3, 1.0])


def test_kendall_tau_hand_values() -> None:
    got = kendall_tau([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 9, 9], [1, 2, 3, 1]],
                      [[1, 2, 3, 4], [4, 3, 2, 1], [5, 6, 7, 1], [2, 1, 3, 3]])
    assert got[:2].tolist() == [1.0, -1.0]
    assert np.isnan(got[2])
    assert got[3] == pytest.approx(1 / 3)  # first visits: pred 1,2,3 -> ref 2,1,3: one discordant pair of three


def test_kendall_tau_matches_scipy_on_permutations() -> None:
    for perm in itertools.permutations(range(5)):
        ours = kendall_tau([0, 1, 2, 3, 4], list(perm))[0]
        assert ours == pytest.approx(kendalltau(range(5), perm).statistic)


def test_summary_averages_items() -> None:
    s = scanpath_summary(PRED, REF, (4, 4))
    assert s["n_items"] == 2
    assert s["exact_position_accuracy"] == pytest.approx(0.5)
    assert [s[f"exact@{j}"] for j in range(1, 5)] == [1.0, 0.5, 0.5, 0.0]
    assert s["edit_distance"] == pytest.approx(np.mean(edit_distance(PRED, REF)))
    assert s["topk_overlap"] == pytest.approx(np.mean([1.0, 2 / 6]))
    assert s["kendall_tau"] == pytest.approx(np.nanmean(kendall_tau(PRED, REF)))
    assert s["kendall_tau_n"] == 2
    assert s["mean_grid_distance"] == pytest.approx(mean_grid_distance(PRED, REF, (4, 4)).mean())


def test_shape_mismatch_is_rejected() -> None:
    with pytest.raises(ValueError, match="shapes"):
        exact_position_accuracy([[1, 2]], [[1, 2, 3]])
    with pytest.raises(ValueError, match="at least one"):
        scanpath_summary(np.zeros((0, 4)), np.zeros((0, 4)), (4, 4))
