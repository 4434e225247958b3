"""Pixel -> cell mapping (Qwen2.5-VL merged-token raster order) and back."""
from __future__ import annotations

import numpy as np
import pytest

from gazebench.gaze.grid import cell_center, cell_index


def test_qwen_28px_cells_on_448_image() -> None:
    x = np.array([0.0, 27.99, 28.0, 0.0, 447.9, 223.0, 224.0])
    y = np.array([0.0, 0.0, 0.0, 28.0, 447.9, 0.0, 27.999])
    assert cell_index(x, y, (448, 448), (16, 16)).tolist() == [0, 0, 1, 16, 255, 7, 8]


def test_original_pixels_map_through_the_square_resize() -> None:
    w, h = 2544, 3056
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, w, 500), rng.uniform(0, h, 500)
    resized_x, resized_y = x * 448 / w, y * 448 / h
    expected = (resized_y // 28).astype(int) * 16 + (resized_x // 28).astype(int)
    assert np.array_equal(cell_index(x, y, (w, h), (16, 16)), expected)
    assert cell_index([w - 1e-6], [h - 1e-6], (w, h), (16, 16)).tolist() == [255]


def test_rectangular_grid_corners_and_edges() -> None:
    # 3 rows x 4 cols over a 400 x 300 image: cells are 100 x 100
    x = [0, 399.999, 0, 399.999, 100, 99.999, 250]
    y = [0, 0, 299.999, 299.999, 100, 199.999, 150]
    assert cell_index(x, y, (400, 300), (3, 4)).tolist() == [0, 3, 8, 11, 5, 4, 6]


def test_off_image_and_nan_points_get_minus_one() -> None:
    x = [-0.001, 448.0, 10, 10, np.nan, 10, np.inf]
    y = [10, 10, -1, 448.0, 10, np.nan, 10]
    out = cell_index(x, y, (448, 448), (16, 16))
    assert out.dtype == np.int64
    assert out.tolist() == [-1] * 7


def test_per_point_image_sizes_broadcast() -> None:
    out = cell_index([50, 50], [50, 50], (np.array([100, 1000]), np.array([100, 1000])), (2, 2))
    assert out.tolist() == [3, 0]


def test_cell_center_round_trips() -> None:
    cells = np.arange(16 * 12)
    x, y = cell_center(cells, (2544, 3056), (16, 12))
    assert np.array_equal(cell_index(x, y, (2544, 3056), (16, 12)), cells)
    x0, y0 = cell_center([0, 17, 31], (448, 448), (16, 16))
    assert x0.tolist() == [14.0, 42.0, 434.0] and y0.tolist() == [14.0, 42.0, 42.0]


@pytest.mark.parametrize("bad", [(0, 4), (4, -1), (2.5, 2)])
def test_bad_grid_is_rejected(bad: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="grid"):
        cell_index([1], [1], (10, 10), bad)  # type: ignore[arg-type]


def test_cell_center_rejects_off_grid_index() -> None:
    with pytest.raises(ValueError, match="outside"):
        cell_center([256], (448, 448), (16, 16))
