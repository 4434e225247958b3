"""What one sample shows: its image (decoded from the data root for this response only) with the radiologist's
fixations, the model's predicted scanpath or attention map and the located findings; and, for runs that
generate reports, the report beside the labeler's reading of it and the reference text."""
from __future__ import annotations

import html
import io

import numpy as np
from matplotlib.patches import Ellipse, Rectangle

from gazebench.engine.predictions import gaze_columns
from gazebench.gaze.draw import scanpath_figure
from gazebench.viewer.state import TaskView

DISPLAY = 768
"""Longest side, in pixels, of the image a sample page shows."""
REPORT_COLUMN = "report"
"""Prediction column holding a generated report, in runs whose model writes one."""


def _display_image(path: object) -> np.ndarray:
    """The image as (H, W) in [0, 1], shrunk so its longest side is at most DISPLAY."""
    from PIL import Image

    from gazebench.data.images import read_image

    image = read_image(path)  # type: ignore[arg-type]
    scale = DISPLAY / max(image.shape)
    if scale >= 1:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.asarray(Image.fromarray(image.astype(np.float32), mode="F").resize(size, Image.Resampling.BILINEAR))


def image_png(view: TaskView, i: int, grid: tuple[int, int] | None) -> bytes:
    """PNG bytes: left the model's output (scanpath cells, attention map, or none), right the radiologist's
    first reading with REFLACX ellipses and dataset boxes; nothing is written to disk."""
    from gazebench.data.images import image_size

    sample, row = view.samples[i], view.frame.iloc[i]
    image = _display_image(sample.image_path)
    frame_size = image_size(sample.image_path)
    reading = sample.gaze[0] if sample.gaze else None
    gcols, scols = gaze_columns(view.frame, "g"), gaze_columns(view.frame, "s")
    cells = row[gcols].to_numpy(dtype=np.int64) if gcols and grid else np.zeros(0, dtype=np.int64)
    reference = reading.fixations if reading is not None else np.zeros(0, dtype=np.int64)
    fig = scanpath_figure(image, cells, reference, grid or (1, 1), title=sample.sample_id,
                          image_size=reading.image_size if reading is not None else frame_size)
    left, right = fig.axes[:2]
    height, width = image.shape
    if scols and grid:
        sal = row[scols].to_numpy(dtype=np.float64).reshape(grid)
        left.imshow(sal / max(float(sal.max()), 1e-12), cmap="inferno", alpha=0.45, extent=(0, width, height, 0))
        left.set_title("model: attention map", fontsize=10)
    elif not gcols:
        left.set_title("model: no gaze output", fontsize=10)
    if reading is None:
        right.set_title("no radiologist reading of this image", fontsize=10)
    sx, sy = width / frame_size[0], height / frame_size[1]
    for f in sample.findings:
        x0, y0, x1, y1 = f.box
        right.add_patch(Ellipse(((x0 + x1) / 2 * sx, (y0 + y1) / 2 * sy), (x1 - x0) * sx, (y1 - y0) * sy,
                                fill=False, edgecolor="lime", lw=1.2))
    for x0, y0, x1, y1 in sample.boxes:
        right.add_patch(Rectangle((x0 * sx, y0 * sy), (x1 - x0) * sx, (y1 - y0) * sy, fill=False,
                                  edgecolor="lime", lw=1.2))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def report_panel(view: TaskView, i: int) -> str:
    """The generated report, the rule labeler's reading of it and the reference report (from the data root,
    now) side by side; empty for runs without a report column."""
    if REPORT_COLUMN not in view.frame.columns:
        return ""
    from gazebench.reports.rules import RuleLabeler

    text = str(view.frame.iloc[i][REPORT_COLUMN])
    reading = RuleLabeler().label_one(text)
    found = ", ".join(f"{k} ({'+' if v == 1 else '?' if v == -1 else '−'})"
                      for k, v in reading.items() if not np.isnan(v)) or "no finding mentioned"
    reference = view.samples[i].report or "(no reference report in the data root)"
    return (f"<h2>Report</h2><div class=charts><div><h3>generated</h3><pre>{html.escape(text)}</pre>"
            f"<p>labeler: {html.escape(found)}</p></div><div><h3>reference</h3><pre>{html.escape(reference)}</pre>"
            "</div></div>")
