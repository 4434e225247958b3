"""Side-by-side PNG of a model's predicted gaze path and the radiologist's, for a person to look at."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from gazebench.gaze.grid import Grid, cell_center, check_grid
from gazebench.records import Fixations


def _show(ax: Axes, image: np.ndarray, grid: Grid, title: str) -> None:
    rows, cols = check_grid(grid)
    height, width = image.shape
    ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, extent=(0, width, height, 0))
    for c in range(1, cols):
        ax.axvline(c * width / cols, color="white", lw=0.3, alpha=0.25)
    for r in range(1, rows):
        ax.axhline(r * height / rows, color="white", lw=0.3, alpha=0.25)
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def _outline(ax: Axes, cells: np.ndarray, image: np.ndarray, grid: Grid, color: str) -> None:
    rows, cols = check_grid(grid)
    height, width = image.shape
    for cell in np.unique(cells):
        r, c = divmod(int(cell), cols)
        ax.add_patch(Rectangle((c * width / cols, r * height / rows), width / cols, height / rows,
                               fill=False, edgecolor=color, lw=1.5))


def _numbered_path(ax: Axes, cells: np.ndarray, image: np.ndarray, grid: Grid, color: str) -> None:
    """Cells joined in order by arrows, each labelled with its position (1-based); repeats stack labels."""
    height, width = image.shape
    x, y = cell_center(cells, (width, height), grid)
    for i in range(len(cells) - 1):
        ax.annotate("", xy=(x[i + 1], y[i + 1]), xytext=(x[i], y[i]),
                    arrowprops=dict(arrowstyle="->", color=color, lw=1.5, shrinkA=6, shrinkB=6))
    labels: dict[int, list[str]] = {}
    for i, cell in enumerate(cells.tolist()):
        labels.setdefault(cell, []).append(str(i + 1))
    for cell, names in labels.items():
        cx, cy = cell_center(np.array([cell]), (width, height), grid)
        ax.text(cx[0], cy[0], ",".join(names), color="black", fontsize=8, ha="center", va="center",
                bbox=dict(boxstyle="circle,pad=0.25", fc=color, ec="black", lw=0.5))


def _fixation_path(ax: Axes, fix: Fixations, image_size: tuple[float, float], image: np.ndarray) -> None:
    """Fixations in display pixels, joined in time order, coloured by time, sized by duration."""
    height, width = image.shape
    keep = np.isfinite(fix.t_start) & np.isfinite(fix.x) & np.isfinite(fix.y)
    order = np.argsort(fix.t_start[keep], kind="stable")
    x = fix.x[keep][order] * width / image_size[0]
    y = fix.y[keep][order] * height / image_size[1]
    duration = fix.duration[keep][order]
    ax.plot(x, y, color="cyan", lw=0.7, alpha=0.6)
    size = 20 + 200 * duration / max(float(duration.max(initial=0.0)), 1e-9)
    ax.scatter(x, y, s=size, c=np.arange(len(x)), cmap="plasma", alpha=0.7, edgecolors="black", linewidths=0.3)


def draw_scanpath(
    image: ArrayLike,
    predicted: ArrayLike,
    reference: ArrayLike | Fixations,
    grid: Grid,
    out_png: Path,
    title: str = "",
    image_size: tuple[float, float] | None = None,
) -> Path:
    """Write a PNG of `scanpath_figure` (same arguments) to `out_png`."""
    fig = scanpath_figure(image, predicted, reference, grid, title, image_size)
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png)
    return out_png


def scanpath_figure(
    image: ArrayLike,
    predicted: ArrayLike,
    reference: ArrayLike | Fixations,
    grid: Grid,
    title: str = "",
    image_size: tuple[float, float] | None = None,
) -> Figure:
    """Two panels: left, the image with the model's numbered cell path; right, the radiologist's path
    (fixations, or a reference cell sequence) with the predicted cells outlined.

    `image` is (H, W) in [0, 1]; `image_size` = (W, H) of the frame the fixations are in (default: the image's).
    """
    image = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D grey array, got shape {image.shape}")
    predicted = np.asarray(predicted, dtype=np.int64).ravel()
    size = image_size or (image.shape[1], image.shape[0])
    fig = Figure(figsize=(10, 5.4), dpi=110)
    left, right = fig.subplots(1, 2)
    _show(left, image, grid, "model: predicted gaze cells")
    _outline(left, predicted, image, grid, "yellow")
    _numbered_path(left, predicted, image, grid, "yellow")
    if isinstance(reference, Fixations):
        _show(right, image, grid, f"radiologist: {len(reference)} fixations (dark to bright = time), model cells boxed")
        _fixation_path(right, reference, size, image)
    else:
        ref_cells = np.asarray(reference, dtype=np.int64).ravel()
        _show(right, image, grid, "radiologist: target cells, model cells boxed")
        _numbered_path(right, ref_cells, image, grid, "cyan")
    _outline(right, predicted, image, grid, "yellow")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
