"""Ordered gaze targets: each method on hand-built scanpaths, dropping rules, and batch == single record."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy.special import ndtr

import gazebench.gaze.targets as targets_module
from gazebench.errors import ConfigError
from gazebench.gaze.scanpath import EmptyScanpath, Scanpaths
from gazebench.gaze.targets import TARGET_METHODS, ordered_targets, ordered_targets_batch, targets_for
from gazebench.records import Fixations

SIZE = (448, 448)
GRID = (16, 16)
A, B, C, D = 17, 90, 200, 255


def centre(cell: int) -> tuple[float, float]:
    return (cell % 16 + 0.5) * 28, (cell // 16 + 0.5) * 28


def at(t0: float, t1: float, cell: int) -> tuple[float, float, float, float]:
    return (t0, t1, *centre(cell))


def test_temporal_windows_take_the_heaviest_cell_of_each_quarter(fixations: Callable[..., Fixations]) -> None:
    # span [0, 4] -> windows of 1 s; B fills windows 1 and 2; in window 1 A has 0.6 s against B's 0.4 s
    fix = fixations([at(0, 1.6, A), at(1.6, 3, B), at(3, 4, C)])
    assert ordered_targets(fix, SIZE, GRID).tolist() == [A, A, B, C]
    # k=2: [0, 2] is A's (1.6 s); in [2, 4] B and C tie at 1 s and the lower cell index wins
    assert ordered_targets(fix, SIZE, GRID, k=2).tolist() == [A, B]


def test_temporal_window_is_the_default_and_k_sets_the_length(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([at(0, 1, A), at(1, 2, B), at(2, 3, C), at(3, 4, D)])
    assert ordered_targets(fix, SIZE, GRID).tolist() == [A, B, C, D]
    assert ordered_targets(fix, SIZE, GRID, k=8).tolist() == [A, A, B, B, C, C, D, D]


def test_a_long_fixation_fills_every_window_it_spans(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([at(0, 3.2, A), at(3.2, 4, B)])
    assert ordered_targets(fix, SIZE, GRID).tolist() == [A, A, A, B]
    assert ordered_targets(fix, SIZE, GRID, k=5).tolist() == [A, A, A, A, B]


def test_empty_windows_inherit_previous_or_next(fixations: Callable[..., Fixations]) -> None:
    gap = fixations([at(0, 1, A), at(3, 4, C)])
    assert ordered_targets(gap, SIZE, GRID).tolist() == [A, A, A, C]
    # a zero-length first fixation weighs nothing: the first windows take the next non-empty one
    late = fixations([at(0, 0, A), at(3, 4, C)])
    assert ordered_targets(late, SIZE, GRID).tolist() == [C, C, C, C]


def test_all_zero_durations_count_each_fixation_once(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([at(0, 0, A), at(1, 1, B), at(2, 2, C), at(3, 3, D)])
    assert ordered_targets(fix, SIZE, GRID).tolist() == [A, B, C, D]
    bursts = fixations([at(0, 0, A), at(0.1, 0.1, A), at(3, 3, C), at(3, 3, C), at(3, 3, C)])
    assert ordered_targets(bursts, SIZE, GRID).tolist() == [A, A, A, C]
    single_instant = fixations([at(5, 5, B), at(5, 5, B), at(5, 5, C)])
    assert ordered_targets(single_instant, SIZE, GRID).tolist() == [B, B, B, B]


def test_dense_cluster_wins_a_window_against_a_lone_long_fixation(fixations: Callable[..., Fixations]) -> None:
    # one window: three 0.3 s fixations in A's cell beat one 0.5 s fixation in D's cell
    x, y = centre(A)
    rows = [(0.0, 0.3, x - 5, y), (0.3, 0.6, x + 5, y), (0.6, 0.9, x, y + 5), (0.9, 1.4, *centre(D))]
    assert ordered_targets(fixations(rows), SIZE, GRID, k=1).tolist() == [A]


def test_dwell_topk_orders_the_longest_dwelt_cells_by_first_visit(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([at(0, 0.2, D), at(0.2, 1, A), at(1, 3, B), at(3, 3.5, D), at(3.5, 4, C), at(4, 4.1, A)])
    # dwell: B 2.0, A 0.9, D 0.7, C 0.5
    assert ordered_targets(fix, SIZE, GRID, k=3, method="dwell-topk").tolist() == [D, A, B]
    assert ordered_targets(fix, SIZE, GRID, k=2, method="dwell-topk").tolist() == [A, B]
    assert ordered_targets(fix, SIZE, GRID, k=6, method="dwell-topk").tolist() == [D, A, B, C, C, C]


def test_dwell_ties_go_to_the_earlier_first_visit(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([at(0, 1, D), at(1, 2, A), at(2, 3, C)])
    assert ordered_targets(fix, SIZE, GRID, k=2, method="dwell-topk").tolist() == [D, A]


def test_first_k_collapses_repeats_and_pads_with_the_last(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([at(0, 1, C), at(1, 2, C), at(2, 3, A), at(3, 4, C), at(4, 5, B)])
    assert ordered_targets(fix, SIZE, GRID, k=3, method="first-k").tolist() == [C, A, B]
    assert ordered_targets(fix, SIZE, GRID, k=5, method="first-k").tolist() == [C, A, B, B, B]
    assert ordered_targets(fix, SIZE, GRID, k=1, method="first-k").tolist() == [C]


def test_visit_order_methods_sort_fixations_by_start_time(fixations: Callable[..., Fixations]) -> None:
    rows = [at(0, 1, C), at(1, 2, A), at(2, 3, B)]
    shuffled = fixations([rows[2], rows[0], rows[1]])
    for method in ("first-k", "dwell-topk"):
        assert ordered_targets(shuffled, SIZE, GRID, k=3, method=method).tolist() == [C, A, B]


@pytest.mark.parametrize("method", TARGET_METHODS)
def test_nan_time_and_off_image_rows_are_dropped_and_counted(
    fixations: Callable[..., Fixations], method: str
) -> None:
    clean = [at(0, 1, A), at(1, 2, B), at(2, 3, C), at(3, 4, D)]
    noisy = clean + [(np.nan, 2.5, *centre(D)), (1.5, np.nan, *centre(A)), (0.5, 0.7, -3.0, 10.0),
                     (0.5, 0.7, 448.0, 10.0), (0.5, 0.7, 10.0, 448.0), (0.5, 0.7, np.nan, 10.0)]
    noisy.sort(key=lambda r: r[0] if np.isfinite(r[0]) else 10.0)
    expected = ordered_targets(fixations(clean), SIZE, GRID, method=method)
    assert ordered_targets(fixations(noisy), SIZE, GRID, method=method).tolist() == expected.tolist()
    fix = fixations(noisy)
    batch = ordered_targets_batch(fix.t_start, fix.t_end, fix.x, fix.y, [0, len(fix)], SIZE, GRID, method=method)
    assert (batch.n_fixations[0], batch.n_nan_time[0], batch.n_off_image[0]) == (10, 2, 4)


@pytest.mark.parametrize("method", TARGET_METHODS)
def test_empty_scanpath_raises(fixations: Callable[..., Fixations], method: str) -> None:
    for fix in (Fixations.empty(), fixations([(0, 1, -5.0, 3.0), (1, 2, 500.0, 3.0)]),
                fixations([(np.nan, np.nan, 10.0, 10.0)])):
        with pytest.raises(EmptyScanpath, match="no usable fixation"):
            ordered_targets(fix, SIZE, GRID, method=method)
    assert issubclass(EmptyScanpath, ValueError)


def test_unknown_method_is_a_config_error(fixations: Callable[..., Fixations]) -> None:
    with pytest.raises(ConfigError, match="temporal-window"):
        ordered_targets(fixations([at(0, 1, A)]), SIZE, GRID, method="heatmap")


def test_rng_breaks_exact_ties_at_random(fixations: Callable[..., Fixations]) -> None:
    fix = fixations([(0, 1, 28.0, 28.0)])  # the corner shared by cells 0, 1, 16 and 17
    assert ordered_targets(fix, SIZE, GRID, k=1).tolist() == [0]
    seen = {int(ordered_targets(fix, SIZE, GRID, k=1, rng=np.random.default_rng(s))[0]) for s in range(40)}
    assert seen == {0, 1, 16, 17}


def reference_temporal_window(fix: Fixations, size: tuple[int, int], grid: tuple[int, int], k: int) -> np.ndarray:
    """Plain loops, untruncated Gaussians integrated exactly over cells; returns (k, rows*cols) heatmaps."""
    rows, cols = grid
    w, h = size
    keep = [i for i in range(len(fix)) if 0 <= fix.x[i] < w and 0 <= fix.y[i] < h and np.isfinite(fix.t_start[i])]
    t0 = min(fix.t_start[i] for i in keep)
    t1 = max(fix.t_end[i] for i in keep)
    maps = np.zeros((k, rows * cols))
    for win in range(k):
        lo, hi = t0 + (t1 - t0) * win / k, t0 + (t1 - t0) * (win + 1) / k
        for i in keep:
            weight = max(0.0, min(fix.t_end[i], hi) - max(fix.t_start[i], lo))
            s = fix.pixels_per_degree
            mx = np.diff(ndtr((np.arange(cols + 1) * w / cols - fix.x[i]) / s))
            my = np.diff(ndtr((np.arange(rows + 1) * h / rows - fix.y[i]) / s))
            maps[win] += weight * np.outer(my, mx).ravel()
    return maps


def random_scanpath(rng: np.random.Generator, n: int, size: tuple[int, int], ppd: float) -> Fixations:
    duration = rng.uniform(0.05, 0.6, n)
    start = np.cumsum(duration + 0.02) - duration
    xy = rng.uniform(-0.03, 1.03, (n, 2)) * size
    return Fixations(start, start + duration, xy[:, 0], xy[:, 1], ppd)


def test_temporal_window_matches_a_plain_loop_reference() -> None:
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(25):
        size = (int(rng.integers(300, 3000)), int(rng.integers(300, 3000)))
        grid = (int(rng.integers(2, 20)), int(rng.integers(2, 20)))
        fix = random_scanpath(rng, int(rng.integers(1, 30)), size, float(rng.uniform(20, 80)))
        try:
            got = ordered_targets(fix, size, grid, k=3)
        except EmptyScanpath:
            continue
        maps = reference_temporal_window(fix, size, grid, 3)
        for win in range(3):
            top2 = np.sort(maps[win])[-2:]
            if maps[win].max() > 0 and top2[1] - top2[0] > 1e-3 * top2[1]:  # skip near ties
                assert got[win] == maps[win].argmax()
                checked += 1
    assert checked > 30


@pytest.mark.parametrize("method", TARGET_METHODS)
def test_batch_equals_single_record(method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets_module, "_CHUNK_FIXATIONS", 16)  # many chunks, scanpaths across borders
    rng = np.random.default_rng(7)
    records, sizes = [], []
    for i in range(30):
        size = (int(rng.integers(400, 3000)), int(rng.integers(400, 3000)))
        n = 0 if i % 9 == 4 else int(rng.integers(1, 25))
        records.append(random_scanpath(rng, n, size, float(rng.uniform(30, 70))))
        sizes.append(size)
    records.append(Fixations(np.array([0.0]), np.array([1.0]), np.array([-1.0]), np.array([5.0])))
    sizes.append((100, 100))
    batch = targets_for(Scanpaths.pack(records, sizes), (16, 16), k=4, method=method)
    assert batch.targets.shape == (31, 4) and batch.targets.dtype == np.int64
    for fix, size, row in zip(records, sizes, batch.targets, strict=True):
        try:
            single = ordered_targets(fix, size, (16, 16), k=4, method=method).tolist()
        except EmptyScanpath:
            single = [-1] * 4
        assert row.tolist() == single
    assert batch.empty.sum() >= 4


def test_batch_rejects_inconsistent_offsets() -> None:
    with pytest.raises(ValueError, match="offsets"):
        ordered_targets_batch([0.0, 1], [1.0, 2], [1.0, 2], [1.0, 2], [0, 3], SIZE, GRID)
    with pytest.raises(ValueError, match="positive"):
        ordered_targets_batch([0.0], [1.0], [1.0], [1.0], [0, 1], (0, 448), GRID)
