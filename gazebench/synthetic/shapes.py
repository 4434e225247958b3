"""Small drawing helpers on a Grid: blobs, discs, bands and polylines, cropped for speed."""
from __future__ import annotations

import numpy as np

from gazebench.synthetic.anatomy import Grid, segment_distance, soft_inside


def gaussian_blob(grid: Grid, x0: float, y0: float, r: float) -> np.ndarray:
    """exp(-d²/r²) around (x0, y0)."""
    return np.exp(-((grid.x - x0) ** 2 + (grid.y - y0) ** 2) / (r * r))


def disc(grid: Grid, x0: float, y0: float, r: float) -> np.ndarray:
    """Anti-aliased filled circle."""
    return soft_inside(r - np.hypot(grid.x - x0, grid.y - y0), grid.px)


def polyline(grid: Grid, points: np.ndarray, half_width: float) -> np.ndarray:
    """Anti-aliased stroke of half-width `half_width` along `points` (N×2, h-units), computed in its bounding window."""
    out = np.zeros((grid.height, grid.width), dtype=np.float32)
    margin = half_width + 3 * grid.px
    x0, y0 = points.min(axis=0) - margin
    x1, y1 = points.max(axis=0) + margin
    c0, c1 = max(0, int(x0 * grid.height)), min(grid.width, int(np.ceil(x1 * grid.height)) + 1)
    r0, r1 = max(0, int(y0 * grid.height)), min(grid.height, int(np.ceil(y1 * grid.height)) + 1)
    if c0 >= c1 or r0 >= r1:
        return out
    x, y = grid.x[:, c0:c1], grid.y[r0:r1, :]
    dist = np.full((r1 - r0, c1 - c0), np.inf, dtype=np.float32)
    for p, q in zip(points[:-1], points[1:], strict=True):
        dist = np.minimum(dist, segment_distance(x, y, tuple(p), tuple(q)))
    out[r0:r1, c0:c1] = soft_inside(half_width - dist, grid.px)
    return out


def bezier(p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float], n: int = 10) -> np.ndarray:
    """n points along the quadratic Bézier p0→p2 pulled towards p1."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    a, b, c = (np.asarray(p, dtype=np.float64) for p in (p0, p1, p2))
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * b + t * t * c
