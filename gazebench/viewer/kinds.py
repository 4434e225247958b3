"""The viewer's pages of the GazeX-track kinds (report, grounding, VQA, scanpath): a task page (the family's
metrics with CIs, from results.json) and one page per item, showing the model's output beside the reference —
generated vs reference text, predicted vs reference box drawn on the image, predicted vs the radiologist's
scanpath. References are read from the data root when a page is shown, never written; a privileged model's
stored pointer is shown as such, beside the reference it points at."""
from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, Rectangle

from gazebench.engine.kinds import KINDS
from gazebench.engine.kinds.base import Item, Kind, to_image_frame
from gazebench.engine.kinds.columns import BOX_COLUMNS, numbers, stored_points
from gazebench.engine.kinds.grounding import GroundingKind
from gazebench.engine.kinds.report import ReportKind
from gazebench.engine.kinds.scanpath import ScanpathKind
from gazebench.engine.kinds.vqa import VQAKind
from gazebench.engine.references import POINTER
from gazebench.records import GazeRecord
from gazebench.viewer.pages import dataset_note, page, rows_table
from gazebench.viewer.panels import _display_image
from gazebench.viewer.state import KindView, Viewer

PAGE_ROWS = 200
"""Items listed per browser page."""


def samples_body(view_: KindView, index_: int) -> str:
    """The item browser: item ids and their image, linking to each item's page (no dataset text here)."""
    rows = [[f"<a href='/sample/{index_}/{quote(view_.data.task.name)}/{quote(i.item_id, safe='')}'>"
             f"{html.escape(i.item_id)}</a>", html.escape(i.sample.patient_id), html.escape(i.group or "–")]
            for i in view_.items.items[:PAGE_ROWS]]
    return (f"<p>{len(view_.items.items)} items; first {min(PAGE_ROWS, len(view_.items.items))} shown.</p>"
            + rows_table(["item", "patient", "group"], rows))


def _text(view_: KindView, i: int, column: str) -> tuple[str, str]:
    """(shown text, note) of a stored text column: a pointer is shown as the reference it names, with a note."""
    raw = str(view_.stored.iloc[i].get(column, ""))
    shown = str(view_.frame.iloc[i].get(column, ""))
    note = "privileged model: stored a pointer to the reference, resolved from the data root" \
        if raw.startswith(POINTER) else ""
    return shown, note


def sample_body(view_: KindView, index_: int, i: int) -> str:
    """One item: the model's output beside the reference (text side by side; boxes and paths on the image), as
    the item's kind shows it (ITEM_PAGES); a kind without a page of its own shows its stored output columns."""
    img = (f"<p><img alt='prediction and reference' style='max-width:100%' src='/image/{index_}/"
           f"{quote(view_.data.task.name)}/{quote(view_.items.items[i].item_id, safe='')}.png'></p>")
    shown = ITEM_PAGES.get(type(KINDS.create(view_.kind)))
    return (shown.body if shown else _stored_body)(view_, i, img)


def _report_body(view_: KindView, i: int, img: str) -> str:
    text, note = _text(view_, i, "report")
    return img + _side_by_side("generated report", text, note, "reference report (data root)",
                               str(view_.items.items[i].reference))


def _vqa_body(view_: KindView, i: int, img: str) -> str:
    it = view_.items.items[i]
    text, note = _text(view_, i, "answer")
    choices = ", ".join(it.query.choices or ()) or "–"
    return (img + f"<p><b>question</b> ({html.escape(it.group)}): {html.escape(it.query.prompt or '')}</p>"
            f"<p><b>choices</b>: {html.escape(choices)}</p>"
            + _side_by_side("model answer", text, note, "reference answer (data root)", str(it.reference)))


def _grounding_body(view_: KindView, i: int, img: str) -> str:
    it = view_.items.items[i]
    box = predicted_box(view_, i)
    shown = "no box" if box is None else ", ".join(f"{v:.1f}" for v in box)
    ref = ", ".join(f"{v:.1f}" for v in it.reference)
    return (f"<p><b>query</b>: {html.escape(it.query.prompt or '')}</p>" + img
            + f"<p>predicted box (yellow, image pixels): {shown}; reference (lime): {ref}</p>")


def _scanpath_body(view_: KindView, i: int, img: str) -> str:
    text, note = _text(view_, i, "report")
    points = predicted_points(view_, i)
    reading = first_reading(view_.items.items[i])
    return (img + f"<p>predicted scanpath (yellow): {len(points)} regions; radiologist (cyan): "
            f"{len(reading.fixations) if reading is not None else 0} fixations of the first scored reading</p>"
            + _side_by_side("reported findings", text, note, "", ""))


def _stored_body(view_: KindView, i: int, img: str) -> str:
    """A kind with no page of its own (a plugin's): the image and the model's stored output columns."""
    row = view_.frame.iloc[i]
    return img + rows_table(["column", "stored value"], [[html.escape(str(k)), html.escape(str(v))]
                                                         for k, v in row.items()])


def first_reading(it: Item) -> GazeRecord | None:
    """The first reading a scanpath item is scored against (its reference holds (reading id, clusters) pairs)."""
    first = it.reference[0][0] if it.reference else None
    return next((r for r in it.sample.gaze if r.reading_id == first), None)


def _side_by_side(left: str, text: str, note: str, right: str, reference: str) -> str:
    cells = [f"<div><h3>{html.escape(left)}</h3><pre>{html.escape(text) or '(empty)'}</pre>"
             + (f"<p class=warn>{html.escape(note)}</p>" if note else "") + "</div>"]
    if right:
        cells.append(f"<div><h3>{html.escape(right)}</h3><pre>{html.escape(reference)}</pre></div>")
    return "<div class=charts>" + "".join(cells) + "</div>"


def predicted_box(view_: KindView, i: int) -> tuple[float, ...] | None:
    """The stored box of item `i` in image pixels (None: the model gave no box)."""
    stored = numbers(view_.frame.iloc[[i]], BOX_COLUMNS, view_.folder)[0]
    if np.isnan(stored).any():
        return None
    return tuple(float(v) for v in to_image_frame(stored, view_.items.items[i].image_size, view_.side))


def predicted_points(view_: KindView, i: int) -> np.ndarray:
    """The stored scanpath regions of item `i` in image pixels, (K, 2)."""
    points = stored_points(view_.frame.iloc[[i]].reset_index(drop=True), view_.folder)[0]
    return to_image_frame(points, view_.items.items[i].image_size, view_.side).reshape(-1, 2)


def image_png(view_: KindView, i: int) -> bytes:
    """PNG bytes of the item's image: left the model's box or scanpath, right the reference; nothing on disk."""
    it: Item = view_.items.items[i]
    image = _display_image(it.sample.image_path)
    height, width = image.shape
    frame = it.image_size if min(it.image_size) > 0 else (width, height)  # report and VQA items need no frame
    sx, sy = width / frame[0], height / frame[1]
    fig = Figure(figsize=(10, 5.4), dpi=110)
    left, right = fig.subplots(1, 2)
    for ax, title in ((left, "model"), (right, "reference")):
        ax.imshow(image, cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    shown = ITEM_PAGES.get(type(KINDS.create(view_.kind)))
    if shown is not None and shown.draw is not None:
        shown.draw(view_, i, (left, right), (sx, sy))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _draw_grounding(view_: KindView, i: int, axes: tuple[Any, Any], scale: tuple[float, float]) -> None:
    """The predicted box (yellow) on both sides; the reference box, or REFLACX ellipse, in lime on the right."""
    (left, right), (sx, sy) = axes, scale
    it = view_.items.items[i]
    box = predicted_box(view_, i)
    if box is not None:
        left.add_patch(_box(box, sx, sy, "yellow"))
        right.add_patch(_box(box, sx, sy, "yellow"))
    x0, y0, x1, y1 = it.reference
    if view_.data.task.queries == "findings":  # a REFLACX ellipse, given by its bounding box
        right.add_patch(Ellipse(((x0 + x1) / 2 * sx, (y0 + y1) / 2 * sy), (x1 - x0) * sx, (y1 - y0) * sy,
                                fill=False, edgecolor="lime", lw=1.5))
    else:
        right.add_patch(_box(it.reference, sx, sy, "lime"))


def _draw_scanpath(view_: KindView, i: int, axes: tuple[Any, Any], scale: tuple[float, float]) -> None:
    """The predicted regions (yellow) left; the first scored reading's fixations (cyan) right."""
    (left, right), (sx, sy) = axes, scale
    points = predicted_points(view_, i)
    _path(left, points[:, 0] * sx, points[:, 1] * sy, "yellow")
    reading = first_reading(view_.items.items[i])
    if reading is not None:
        fx = reading.fixations
        _path(right, np.asarray(fx.x) * sx, np.asarray(fx.y) * sy, "cyan")
    right.set_title("radiologist (first scored reading)", fontsize=10)


def _box(box: Any, sx: float, sy: float, colour: str) -> Rectangle:
    x0, y0, x1, y1 = box
    return Rectangle((x0 * sx, y0 * sy), (x1 - x0) * sx, (y1 - y0) * sy, fill=False, edgecolor=colour, lw=1.5)


def _path(ax: Any, x: np.ndarray, y: np.ndarray, colour: str) -> None:
    """A numbered path of points (scanpath regions or fixations) on `ax`."""
    ax.plot(x, y, "-o", color=colour, ms=4, lw=1)
    for k, (px, py) in enumerate(zip(x[:20], y[:20], strict=True)):
        ax.annotate(str(k + 1), (px, py), color=colour, fontsize=7)


def samples_page(viewer: Viewer, index_: int, task: str) -> str:
    """The item browser of an item task (a kind without per-label views)."""
    return page(f"{viewer.run(index_).config['model']} — {task}: items",
                samples_body(viewer.kind(index_, task), index_), dataset_note(viewer))


def sample_page(viewer: Viewer, index_: int, task: str, item_id: str) -> str:
    """One item of an item task: the model's output beside the reference."""
    view_ = viewer.kind(index_, task)
    return page(f"{item_id} ({task})", sample_body(view_, index_, view_.index_of(item_id)), dataset_note(viewer))


@dataclass(frozen=True)
class ItemPage:
    """How the viewer shows one item of a kind: its page body, and what it draws on the image (None: nothing)."""

    body: Callable[[KindView, int, str], str]
    draw: Callable[[KindView, int, tuple[Any, Any], tuple[float, float]], None] | None = None


ITEM_PAGES: Mapping[type[Kind], ItemPage] = MappingProxyType({
    ReportKind: ItemPage(_report_body), VQAKind: ItemPage(_vqa_body),
    GroundingKind: ItemPage(_grounding_body, _draw_grounding), ScanpathKind: ItemPage(_scanpath_body, _draw_scanpath),
})
"""The built-in item kinds' pages, by Kind class (the registry's entry, never its name compared as a string)."""
