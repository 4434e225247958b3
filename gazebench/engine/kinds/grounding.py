"""Grounding: one item per (image, query) — a REFLACX finding the reader marked at or above the task's
certainty threshold (query = the finding's name, reference = its ellipse) or an MS-CXR phrase (reference =
its box). The model returns one box in its input frame; the engine maps it to image pixels, clamps it to the
image (counted) and scores IoU against the reference box, hit rates at IoU 0.1/0.3/0.5 and the pointing game
(box centre inside the ellipse, or inside the phrase's box); see gazebench.metrics.grounding."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.adapter import Adapter, Query
from gazebench.engine.kinds.base import (
    Item,
    ItemScores,
    ItemSet,
    Kind,
    item,
    original_size,
    to_image_frame,
    to_model_frame,
)
from gazebench.engine.kinds.columns import BOX_COLUMNS, boxes, numbers
from gazebench.engine.kinds.prf import weighted_mean
from gazebench.metrics.grounding import IOU_THRESHOLDS, box_centre, box_iou, in_ellipse
from gazebench.outputs import Boxes
from gazebench.records import Sample
from gazebench.task import Task

if TYPE_CHECKING:
    import pandas as pd


def _queries(task: Task, sample: Sample) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """(key, query text, reference box) of each item of `sample`."""
    if task.queries == "findings":
        least = task.min_certainty or 1
        return [(str(k), f.name, f.box) for k, f in enumerate(sample.findings) if f.certainty >= least]
    return [(str(k), p.text, p.box) for k, p in enumerate(sample.phrases)]


def in_box(points: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """Whether each (x, y) lies in (or on) its box."""
    return (points[:, 0] >= refs[:, 0]) & (points[:, 0] <= refs[:, 2]) & (points[:, 1] >= refs[:, 1]) \
        & (points[:, 1] <= refs[:, 3])


class GroundingKind(Kind):
    """`grounding` tasks: `ground(batch) -> Boxes`, one box per (image, query)."""

    name = "grounding"
    family = "grounding"
    method = "ground"
    output = Boxes
    per_query = True

    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        out: list[Item] = []
        below = without = 0
        for s in samples:
            queries = _queries(task, s)
            below += len(s.findings) - len(queries) if task.queries == "findings" else 0
            without += not queries
            if queries:
                size = original_size(s)
                out += [item(s, key, query=Query(prompt=text, reference=tuple(to_model_frame(np.array(box), size,
                                                                                               side))),
                             image_size=size, reference=box) for key, text, box in queries]
        skipped = {"image without a query": without}
        if task.queries == "findings":
            skipped[f"finding below certainty {task.min_certainty}"] = below
        return ItemSet(tuple(out), {k: v for k, v in skipped.items() if v})

    def columns(self, out: Boxes, ids: Sequence[str], side: int, adapter: Adapter) -> dict[str, Any]:
        return boxes(out.boxes, len(ids), adapter)

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        stored = numbers(df, BOX_COLUMNS, where)
        missing = np.isnan(stored).any(axis=1)
        sizes = np.array([i.image_size for i in items.items], dtype=np.float64).reshape(-1, 2)
        pred = np.array([to_image_frame(b, tuple(sz), side) for b, sz in zip(np.nan_to_num(stored), sizes,
                                                                                 strict=True)]).reshape(-1, 4)
        limit = np.tile(sizes, 2)
        clamped = np.clip(pred, 0.0, limit)
        n_clamped = int(((clamped != pred).any(axis=1) & ~missing).sum())
        refs = np.array([i.reference for i in items.items], dtype=np.float64).reshape(-1, 4)
        iou = np.where(missing, 0.0, box_iou(clamped, refs))
        centre = box_centre(clamped)
        inside = in_ellipse(centre, refs) if task.queries == "findings" else in_box(centre, refs)
        hit = (~missing & inside).astype(np.float64)

        def statistic(w: np.ndarray) -> dict[str, float]:
            out = {"miou": weighted_mean(iou, w), "pointing": weighted_mean(hit, w)}
            return out | {f"hit{t}": weighted_mean((iou >= t).astype(np.float64), w) for t in IOU_THRESHOLDS}

        extra = {"n_missing": int(missing.sum()), "n_clamped": n_clamped,
                 "reference": "ellipse bounding box (pointing: inside the ellipse)" if task.queries == "findings"
                 else "phrase box (pointing: inside the box)"}
        return ItemScores(statistic, np.array([i.sample.patient_id for i in items.items], dtype=object), extra)
