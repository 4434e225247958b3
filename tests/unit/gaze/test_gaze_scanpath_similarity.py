"""Scanpath similarity: MultiMatch equals multimatch-gaze called directly, ScanMatch, DTW and GazeSearch's
string-edit distance against hand-worked cases and a line-by-line transcription of GazeSearch's code."""
from __future__ import annotations

import math

import numpy as np
import pytest
from multimatch_gaze import docomparison

from gazebench.gaze.scanpath_similarity import (
    MULTIMATCH_DIMENSIONS,
    ScanMatchSettings,
    dtw,
    multimatch,
    needleman_wunsch,
    saccade_threshold,
    scanmatch,
    scanmatch_sequence,
    sed_string,
    string_edit_distance,
    substitution_matrix,
)

SIZE = (2544.0, 3056.0)  # a MIMIC-CXR image (W, H)


def scanpath(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(0, SIZE[0], n), rng.uniform(0, SIZE[1], n), rng.uniform(0.05, 1.2, n)])


@pytest.mark.parametrize(("seed", "n_a", "n_b"), [(0, 5, 7), (1, 3, 3), (2, 9, 4), (3, 6, 6)])
def test_multimatch_equals_multimatch_gaze_called_directly(seed: int, n_a: int, n_b: int) -> None:
    a, b = scanpath(seed, n_a), scanpath(seed + 100, n_b)
    rec = [np.rec.fromarrays(p.T, names="start_x,start_y,duration") for p in (a, b)]
    direct = docomparison(rec[0], rec[1], screensize=list(SIZE))
    ours = multimatch(a, b, SIZE)
    assert list(ours) == list(MULTIMATCH_DIMENSIONS)
    assert [ours[k] for k in MULTIMATCH_DIMENSIONS] == [float(v) for v in direct]
    assert all(0.0 <= v <= 1.0 for v in ours.values())


def test_multimatch_identical_short_and_durationless() -> None:
    a = scanpath(5, 6)
    assert multimatch(a, a, SIZE) == pytest.approx(dict.fromkeys(MULTIMATCH_DIMENSIONS, 1.0))
    assert all(math.isnan(v) for v in multimatch(a[:2], a, SIZE).values())  # multimatch-gaze needs >= 3
    no_time = multimatch(a[:, :2], scanpath(6, 5), SIZE)
    with_time = multimatch(a, scanpath(6, 5), SIZE)
    assert math.isnan(no_time["duration"])
    assert {k: no_time[k] for k in MULTIMATCH_DIMENSIONS[:4]} == {k: with_time[k] for k in MULTIMATCH_DIMENSIONS[:4]}


def test_scanmatch_substitution_matrix_by_hand() -> None:
    sub = substitution_matrix((2, 2), threshold=1.5)  # bins 0 1 / 2 3; distances 0, 1, sqrt 2
    assert sub[0, 0] == pytest.approx(1.5) and sub[0, 1] == pytest.approx(0.5) and sub[0, 2] == pytest.approx(0.5)
    assert sub[0, 3] == pytest.approx(1.5 - math.sqrt(2)) and sub.max() == pytest.approx(1.5)
    np.testing.assert_allclose(sub, sub.T)


def test_scanmatch_by_hand() -> None:
    square = (100.0, 100.0)
    two = ScanMatchSettings(bins=(2, 2), threshold=1.5)
    a = np.array([[25.0, 25.0], [75.0, 25.0]])  # bins 0, 1
    b = np.array([[25.0, 25.0], [75.0, 75.0]])  # bins 0, 3
    c = np.array([[25.0, 25.0], [25.0, 75.0]])  # bins 0, 2
    assert list(scanmatch_sequence(a, square, two)) == [0, 1]
    assert scanmatch(a, a, square, two) == pytest.approx(1.0)
    # 0-0 (1.5) + 1-2 (distance sqrt 2: 1.5 - 1.414) beats 0-0 + two gaps (1.5): (1.5 + 0.086) / (1.5 * 2)
    assert scanmatch(a, c, square, two) == pytest.approx((3 - math.sqrt(2)) / 3)
    # 0-0 + 1-3 (adjacent, 0.5) = 2.0 of 3.0
    assert scanmatch(a, b, square, two) == pytest.approx(2 / 3)
    # a negative substitution is avoided by gaps: threshold 0.5 makes 1-3 score -0.5 < two gaps (0)
    assert scanmatch(a, b, square, ScanMatchSettings(bins=(2, 2), threshold=0.5)) == pytest.approx(0.5 / 1.0)
    # a negative gap value penalises unmatched bins: [0] vs [0, 1] = 1.5 - 1 over 1.5 * 2
    gap = ScanMatchSettings(bins=(2, 2), threshold=1.5, gap=-1.0)
    assert scanmatch(a[:1], a, square, gap) == pytest.approx(0.5 / 3)
    assert math.isnan(scanmatch(np.zeros((0, 2)), a, square, two))


def test_scanmatch_temporal_binning_by_hand() -> None:
    square = (100.0, 100.0)
    timed = ScanMatchSettings(bins=(2, 2), threshold=1.5, temporal_bin_s=0.05)
    a = np.array([[25.0, 25.0, 0.1], [75.0, 25.0, 0.05], [75.0, 75.0, 0.02]])  # 2, 1 and 0 temporal bins
    assert list(scanmatch_sequence(a, square, timed)) == [0, 0, 1]
    b = np.array([[25.0, 25.0, 0.15], [75.0, 25.0, 0.05]])  # 0 0 0 1
    # align 0 0 _ 1 with 0 0 0 1: 3 × 1.5 over 1.5 × 4
    assert scanmatch(a, b, square, timed) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="duration"):
        scanmatch_sequence(a[:, :2], square, timed)


def test_needleman_wunsch_is_symmetric_in_its_sequences() -> None:
    sub = substitution_matrix((3, 3), 2.0)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 9, 7), rng.integers(0, 9, 5)
    assert needleman_wunsch(a, b, sub, -0.5) == pytest.approx(needleman_wunsch(b, a, sub, -0.5))


def test_saccade_threshold_is_twice_the_sd_of_amplitudes_in_bins() -> None:
    paths = [np.array([[0.0, 0.0], [30.0, 0.0], [30.0, 40.0]]), np.array([[0.0, 0.0], [0.0, 10.0]])]
    amplitudes = np.array([3.0, 4.0, 1.0])  # bins of 10 px on a 100-px image with 10 × 10 bins
    got = saccade_threshold(paths, [(100.0, 100.0)] * 2, (10, 10))
    assert got == pytest.approx(2 * amplitudes.std(ddof=1))
    assert math.isnan(saccade_threshold(paths[1:], [(100.0, 100.0)], (10, 10)))


def test_dtw_by_hand() -> None:
    assert dtw([[0, 0], [10, 0]], [[0, 0], [0, 0], [10, 0]]) == 0.0  # a repeated fixation warps for free
    assert dtw([[0, 0], [3, 4]], [[0, 0]]) == pytest.approx(5.0)
    # (0,0)-(0,1) 1, (2,0)-(2,1) 1 or diagonal alternatives: the least sum is 2
    assert dtw([[0, 0], [2, 0]], [[0, 1], [2, 1]]) == pytest.approx(2.0)
    assert math.isnan(dtw(np.zeros((0, 2)), [[1, 1]]))
    a, b = scanpath(0, 6), scanpath(1, 4)
    assert dtw(a, b) == pytest.approx(dtw(b, a))


def gazesearch_sed(human: np.ndarray, simulated: np.ndarray, height: int, width: int, n: int = 5) -> int:
    """GazeSearch's string_edit_distance (src/common/visual_attention_metrics.py, after Zanca), transcribed."""
    def to_string(path: np.ndarray) -> str:
        hs, ws = height // n, width // n
        return "".join(chr(97 + (int(f[0]) // ws) + (int(f[1]) // hs) * n) for f in path)

    s1, s2 = to_string(human), to_string(simulated)
    d = [[0] * (len(s2) + 1) for _ in range(len(s1) + 1)]
    for i in range(len(s1) + 1):
        d[i][0] = i
    for j in range(len(s2) + 1):
        d[0][j] = j
    for i in range(1, len(s1) + 1):
        for j in range(1, len(s2) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (s1[i - 1] != s2[j - 1]))
    return d[-1][-1]


def test_string_edit_distance_by_hand() -> None:
    square = (100.0, 100.0)  # 5 × 5 regions of 20 px
    assert list(sed_string([[10, 10], [30, 10], [10, 30], [99, 99]], square)) == [0, 1, 5, 24]
    assert string_edit_distance([[10, 10], [30, 10]], [[10, 10], [10, 30]], square) == 1.0  # one substitution
    assert string_edit_distance([[10, 10]], [[10, 10], [30, 10], [50, 10]], square) == 2.0  # two insertions
    assert string_edit_distance([[10, 10], [30, 10]], [[30, 10], [10, 10]], square) == 2.0
    assert string_edit_distance([[10, 10]], [[10, 10]], square, n=1) == 0.0
    # 103 px: regions of 20 px, GazeSearch would put x = 101 in a sixth column; it is clipped into the fifth
    assert list(sed_string([[101, 0]], (103.0, 100.0))) == [4]
    with pytest.raises(ValueError, match="grid"):
        sed_string([[1, 1]], square, n=0)


@pytest.mark.parametrize("point", [[-0.5, 10.0], [10.0, -1.0], [100.0, 10.0], [10.0, 250.0]])
def test_string_edit_distance_refuses_a_fixation_off_the_image(point: list[float]) -> None:
    # GazeSearch would give x = -0.5 region -1 and x = W a sixth column: no region of the 5 x 5 grid
    with pytest.raises(ValueError, match=r"fixation 1 \(0-based\) .* lies off the 100 x 100 image \(1 such\)"):
        string_edit_distance([[10.0, 10.0], point], [[10.0, 10.0]], (100.0, 100.0))


@pytest.mark.parametrize("seed", range(4))
def test_string_edit_distance_equals_gazesearch_code(seed: int) -> None:
    width, height = 2540, 3055  # multiples of 5, so GazeSearch's regions stay on the grid (5 × 5)
    rng = np.random.default_rng(seed)
    a = np.column_stack([rng.uniform(0, width, 6), rng.uniform(0, height, 6)])
    b = np.column_stack([rng.uniform(0, width, 4), rng.uniform(0, height, 4)])
    assert string_edit_distance(a, b, (width, height)) == gazesearch_sed(a, b, height, width)


def test_bad_scanpaths_are_rejected() -> None:
    with pytest.raises(ValueError, match="shape"):
        dtw(np.zeros((3, 4)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="non-finite"):
        multimatch([[np.nan, 1.0], [1, 1], [2, 2]], [[1, 1], [2, 2], [3, 3]], SIZE)
    with pytest.raises(ValueError, match="negative duration"):
        scanmatch([[1.0, 1.0, -1.0]], [[1.0, 1.0]], SIZE)
    with pytest.raises(ValueError, match="off the image"):
        scanmatch([[SIZE[0] + 1, 1.0]], [[1.0, 1.0]], SIZE)
