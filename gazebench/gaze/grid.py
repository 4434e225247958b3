"""Map original-image pixels to cells of a (rows, cols) token grid laid over the square-resized image.

The resize has no crop, so a pixel (x, y) of a (W, H) image lands in cell row ⌊y·rows/H⌋, col ⌊x·cols/W⌋,
index row·cols + col: the raster order of Qwen2.5-VL merged tokens (docs/reference_model.md, "Images").
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

Grid = tuple[int, int]
"""(rows, cols) of the token grid."""


def check_grid(grid: Grid) -> tuple[int, int]:
    """Return (rows, cols) as ints, or raise ValueError if either is not a positive integer."""
    rows, cols = grid
    if int(rows) != rows or int(cols) != cols or rows < 1 or cols < 1:
        raise ValueError(f"grid must be two positive integers (rows, cols), got {grid!r}")
    return int(rows), int(cols)


def cell_index(x: ArrayLike, y: ArrayLike, image_size: tuple[ArrayLike, ArrayLike], grid: Grid) -> np.ndarray:
    """Cell index (int64) of each point; -1 where the point is NaN or off the image (x<0, y<0, x>=W, y>=H).

    `image_size` = (W, H); W and H may be arrays broadcasting with x and y (one size per point).
    """
    rows, cols = check_grid(grid)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    width = np.asarray(image_size[0], dtype=np.float64)
    height = np.asarray(image_size[1], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = (x >= 0) & (y >= 0) & (x < width) & (y < height)  # NaN compares False
        col = np.minimum(np.floor(np.where(inside, x, 0.0) * cols / width), cols - 1)
        row = np.minimum(np.floor(np.where(inside, y, 0.0) * rows / height), rows - 1)
    index = row.astype(np.int64) * cols + col.astype(np.int64)
    return np.where(inside, index, -1)


def cell_center(index: ArrayLike, image_size: tuple[float, float], grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Centre (x, y) in original-image pixels of each cell index; ValueError for an index off the grid."""
    rows, cols = check_grid(grid)
    index = np.asarray(index, dtype=np.int64)
    if np.any((index < 0) | (index >= rows * cols)):
        raise ValueError(f"cell index outside a {rows}x{cols} grid: {index[(index < 0) | (index >= rows * cols)][:5]}")
    width, height = image_size
    x = (index % cols + 0.5) * (width / cols)
    y = (index // cols + 0.5) * (height / rows)
    return x.astype(np.float64), y.astype(np.float64)
