"""Grounding metrics: box IoU with continuous corners (no +1 per side), mIoU, hit rate at IoU thresholds,
and the pointing game against REFLACX ellipses (Bigolin Lanfredi et al. 2022).

Boxes are (x1, y1, x2, y2) in original-image pixels. A REFLACX `anomaly_location_ellipses.csv` row gives
the axis-aligned bounding box xmin, ymin, xmax, ymax of an ellipse inscribed in it (centre = box centre,
semi-axes = half the box's width and height). A prediction that is missing (NaN, e.g. unparseable model
output) scores IoU 0 and a pointing miss, and is counted.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gazebench.metrics.inputs import MetricInputError

IOU_THRESHOLDS: tuple[float, ...] = (0.1, 0.3, 0.5)


def _boxes(a: object, what: str, allow_nan: bool = False) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != 4:
        raise MetricInputError(f"{what} must have 4 coordinates (x1, y1, x2, y2) in the last axis, "
                               f"got shape {arr.shape}")
    missing = np.asarray(np.isnan(arr).any(axis=-1))
    if not allow_nan and missing.any():
        raise MetricInputError(f"{what} contain NaN coordinates")
    ok = np.where(missing[..., None], 0.0, arr)
    if np.isinf(ok).any() or (ok[..., 2] < ok[..., 0]).any() or (ok[..., 3] < ok[..., 1]).any():
        raise MetricInputError(f"{what} must be finite with x2 >= x1 and y2 >= y1")
    return arr


def ellipse_box(xmin: object, ymin: object, xmax: object, ymax: object) -> np.ndarray:
    """(..., 4) box of REFLACX ellipse columns, corners sorted (the file's semi-axes are |xmax - xmin| / 2)."""
    x0, y0, x1, y1 = (np.asarray(v, dtype=np.float64) for v in (xmin, ymin, xmax, ymax))
    return np.stack([np.minimum(x0, x1), np.minimum(y0, y1), np.maximum(x0, x1), np.maximum(y0, y1)], axis=-1)


def box_centre(boxes: object) -> np.ndarray:
    """(..., 2) centre (x, y) of each box."""
    b = np.asarray(boxes, dtype=np.float64)
    return np.stack([(b[..., 0] + b[..., 2]) / 2, (b[..., 1] + b[..., 3]) / 2], axis=-1)


def _area(b: np.ndarray) -> np.ndarray:
    return (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])


def box_iou(a: object, b: object) -> np.ndarray:
    """IoU of boxes `a` and `b` (broadcasting (..., 4)); 0 where the union has no area."""
    a, b = _boxes(a, "boxes"), _boxes(b, "boxes")
    w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = w * h
    union = _area(a) + _area(b) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def in_ellipse(points: object, boxes: object) -> np.ndarray:
    """Whether each (x, y) lies in (or on) the axis-aligned ellipse inscribed in its box; (..., 2) vs (..., 4)."""
    p, b = np.asarray(points, dtype=np.float64), _boxes(boxes, "ellipse boxes")
    centre = box_centre(b)
    semi = np.stack([(b[..., 2] - b[..., 0]) / 2, (b[..., 3] - b[..., 1]) / 2], axis=-1)
    offset = p - centre
    with np.errstate(divide="ignore", invalid="ignore"):
        # a degenerate axis (semi-axis 0) admits only points on the segment: offset 0 on that axis
        scaled = np.where(semi > 0, offset / np.where(semi > 0, semi, 1.0), np.where(offset == 0, 0.0, np.inf))
    return (scaled**2).sum(axis=-1) <= 1.0


@dataclass(frozen=True, eq=False)
class GroundingScores:
    """mIoU, hit rates and pointing accuracy over N items, with the per-item values behind them."""

    miou: float
    hit_rate: dict[float, float]
    """Fraction of items with IoU >= threshold, per threshold."""
    pointing: float
    """Fraction of items whose predicted box centre lies inside the ellipse."""
    iou: np.ndarray
    hits: np.ndarray
    """(N,) pointing hit per item."""
    n_items: int
    n_missing: int
    """Items with no (NaN) prediction, scored IoU 0 and a miss."""


def grounding_scores(
    predicted: object, ellipses: object, thresholds: tuple[float, ...] = IOU_THRESHOLDS
) -> GroundingScores:
    """Score (N, 4) predicted boxes against (N, 4) ellipse boxes.

    IoU is taken with the ellipse's bounding box; pointing counts a hit inside the ellipse itself.
    """
    pred = _boxes(predicted, "predicted boxes", allow_nan=True)
    gt = _boxes(ellipses, "ellipse boxes")
    if pred.ndim != 2 or pred.shape != gt.shape:
        raise MetricInputError(f"predicted boxes {pred.shape} and ellipse boxes {gt.shape} must both be (N, 4)")
    if len(gt) == 0:
        raise MetricInputError("no grounding items to score")
    missing = np.isnan(pred).any(axis=1)
    filled = np.where(missing[:, None], 0.0, pred)  # missing rows are masked out just below
    iou = np.where(missing, 0.0, box_iou(filled, gt))
    hits = ~missing & in_ellipse(box_centre(filled), gt)
    return GroundingScores(
        miou=float(iou.mean()),
        hit_rate={t: float((iou >= t).mean()) for t in thresholds},
        pointing=float(hits.mean()),
        iou=iou,
        hits=hits,
        n_items=len(gt),
        n_missing=int(missing.sum()),
    )
