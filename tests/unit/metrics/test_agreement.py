"""ICC (Shrout & Fleiss worked examples), Kendall tau-b against scipy, Hungarian region matching, distances
in pixels and grid cells, why cosine similarity is inflated, and finding-level TP/FN/FP against a reader
majority."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau

from gazebench.metrics.agreement import (
    FindingCounts,
    centroid_agreement,
    cosine_similarity,
    examination_agreement,
    finding_counts,
    icc_2_1,
    kendall_tau_b,
    match_regions,
    mean_squares,
    reader_majority,
    region_agreement,
)
from gazebench.metrics.inputs import MetricInputError

SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
"""Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges."""


def test_icc_shrout_fleiss_table() -> None:
    ms = mean_squares(SHROUT_FLEISS)
    assert (ms.msr, ms.msc, ms.mse, ms.msw) == pytest.approx((11.2417, 32.4861, 1.0194, 6.2639), abs=1e-4)
    # published: ICC(1,1) 0.17, ICC(2,1) 0.29, ICC(3,1) 0.71
    assert (ms.icc_1_1(), ms.icc_2_1(), ms.icc_3_1()) == pytest.approx((0.1657, 0.2898, 0.7148), abs=1e-4)


def test_icc_hand_computed() -> None:
    # m = 64/3; SSR = 2 * ((11-m)^2 + (20.5-m)^2 + (32.5-m)^2) = 464.333, MSR = 232.167
    # column means 20, 22.667: SSC = 3 * 2 * (1.333)^2 = 10.667 = MSC; SST = 479.333; SSE = 4.333, MSE = 2.1667
    # ICC(2,1) = (232.167 - 2.167) / (232.167 + 2.167 + 2 (10.667 - 2.167) / 3) = 230 / 240
    assert icc_2_1([[10, 12], [20, 21], [30, 35]]) == pytest.approx(230 / 240)
    # a constant offset between raters lowers ICC(2,1) (absolute agreement) but not ICC(3,1)
    shifted = mean_squares([[10, 110], [20, 120], [30, 130]])
    assert shifted.icc_3_1() == pytest.approx(1.0) and shifted.icc_2_1() < 0.1
    with pytest.raises(MetricInputError, match="n, k >= 2"):
        icc_2_1([[1, 2]])


def test_cosine_of_unrelated_positive_coordinates_is_high_while_icc_is_near_zero() -> None:
    rng = np.random.default_rng(0)
    model, radiologist = rng.uniform(200, 800, 500), rng.uniform(200, 800, 500)  # independent x coordinates
    assert cosine_similarity(model, radiologist) > 0.85  # E[xy] / E[x^2] = 500^2 / (500^2 + 600^2/12) ≈ 0.89
    assert abs(icc_2_1(np.column_stack([model, radiologist]))) < 0.1
    centred = cosine_similarity(model - model.mean(), radiologist - radiologist.mean())
    assert abs(centred) < 0.1  # the cosine was all offset from the origin


@pytest.mark.parametrize("seed", range(4))
def test_kendall_tau_b_equals_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 5, 12), rng.integers(0, 5, 12)  # with ties
    assert kendall_tau_b(a, b) == pytest.approx(kendalltau(a, b).statistic)
    # by hand: p = [2,0,3,1,4], t = [2,0,1,3,4]: 7 concordant, 3 discordant pairs of 10, no ties -> 0.4
    assert kendall_tau_b([2, 0, 3, 1, 4], [2, 0, 1, 3, 4]) == pytest.approx(0.4)
    assert np.isnan(kendall_tau_b([1, 1, 1], [1, 2, 3]))


def test_hungarian_matching_minimises_total_distance() -> None:
    # greedy nearest-first would pair p0-r0 (distance 1) and leave p1-r1 at 10; optimal crosses: 2 + 2
    p = [[0, 0], [3, 0]]
    r = [[1, 0], [-2, 0]]
    pi, ri = match_regions(p, r)
    assert sorted(zip(pi.tolist(), ri.tolist(), strict=True)) == [(0, 1), (1, 0)]
    assert match_regions(np.zeros((0, 2)), r)[0].size == 0


def test_region_agreement_distances_and_order() -> None:
    ref = [[100, 100], [500, 100], [500, 500]]  # the radiologist's regions, in time order
    pred = [[510, 110], [100, 130], [900, 900], [495, 480]]  # predicted, in its own time order; one extra
    a = region_agreement(pred, ref, image_size=(1000, 1000), grid=(10, 20))
    # matches in the radiologist's order: r0-p1 (30 px), r1-p0 (sqrt(200)), r2-p3 (sqrt(25 + 400))
    assert a.distance_px == pytest.approx([30, np.sqrt(200), np.sqrt(425)])
    # cells: x scaled by 20/1000, y by 10/1000
    assert a.distance_cells[0] == pytest.approx(0.3) and a.distance_cells[1] == pytest.approx(np.hypot(0.2, 0.1))
    # predicted ranks [1, 0, 3] against [0, 1, 2]: 2 concordant, 1 discordant -> 1/3
    assert a.kendall_tau == pytest.approx(1 / 3) and (a.n_predicted, a.n_reference) == (4, 3)
    pooled = centroid_agreement([a, region_agreement(ref, ref, (1000, 1000), (10, 20))])
    assert pooled.n_matched == 6 and pooled.mean_kendall_tau == pytest.approx((1 / 3 + 1) / 2)
    assert pooled.icc_x > 0.9 and pooled.mean_distance_px == pytest.approx((30 + np.sqrt(200) + np.sqrt(425)) / 6)


def test_finding_counts_against_reader_majority() -> None:
    readers = {"r1": {"Cardiomegaly", "Edema"}, "r2": {"Cardiomegaly"}, "r3": {"Edema", "Pleural Effusion"},
               "r4": {"Cardiomegaly", "Pleural Effusion"}, "r5": set()}
    assert reader_majority(readers.values()) == {"Cardiomegaly"}  # 3 of 5; Edema and PE have 2
    assert reader_majority(readers.values(), min_votes=2) == {"Cardiomegaly", "Edema", "Pleural Effusion"}
    out = examination_agreement({"Cardiomegaly", "Fracture"}, readers, min_votes=2)
    assert out["model"] == FindingCounts(tp=1, fn=2, fp=1)
    assert out["r3"] == FindingCounts(tp=2, fn=1, fp=0) and out["r5"] == FindingCounts(0, 3, 0)
    total = sum(out.values(), FindingCounts(0, 0, 0))
    assert (total.tp, total.fn, total.fp) == (1 + 2 + 1 + 2 + 2 + 0, 2 + 1 + 2 + 1 + 1 + 3, 1)
    assert finding_counts(set(), set()).f1 == 0.0
    counts = FindingCounts(2, 1, 1)
    assert counts.precision == pytest.approx(2 / 3) and counts.f1 == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", range(3))
def test_every_icc_form_equals_pingouin(seed: int) -> None:
    pg = pytest.importorskip("pingouin", reason="pingouin is in the test extra: pip install -e .[test]")
    import pandas as pd

    from gazebench.metrics.agreement import ICC_FORMS, icc

    rng = np.random.default_rng(seed)
    table = rng.normal(size=(12, 3)) + rng.normal(size=(12, 1)) * 2 + np.array([0.0, 0.7, -0.4])
    long = pd.DataFrame([(i, j, table[i, j]) for i in range(12) for j in range(3)], columns=["t", "r", "v"])
    theirs = pg.intraclass_corr(long, targets="t", raters="r", ratings="v").set_index("Type")["ICC"]
    names = {"1,1": "ICC(1,1)", "2,1": "ICC(A,1)", "3,1": "ICC(C,1)"}  # pingouin 0.7: A absolute, C consistency
    for form in ICC_FORMS:
        assert icc(table, form) == pytest.approx(float(theirs[names[form]]), abs=1e-12), form
    with pytest.raises(MetricInputError, match="unknown ICC form"):
        icc(table, "2,k")  # type: ignore[arg-type]
