"""What each model method returns: one frozen, self-validating record per task kind, so a model answers a kind
by implementing its method (`classify`, `report`, `ground`, `answer`, `trace`) and returning its record, as
lm-eval's LM answers `loglikelihood` and `generate_until`. A record checks what it can alone (types, value
ranges, box corners); the kind checks what needs the batch (row counts, label columns, sample ids)."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from gazebench.errors import GazebenchError


class OutputError(GazebenchError):
    """A model method returned a record that breaks its contract; the engine names the model and re-raises."""


def as_array(value: object, what: str) -> np.ndarray:
    """`value` (array-like or torch tensor, on any device) as a float64 numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().float().cpu().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise OutputError(f"{what} that is not an array of numbers") from None


def _texts(values: Sequence[str], what: str) -> tuple[str, ...]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise OutputError(f"`{what}` that are not a sequence of strings")
    return tuple(values)


def _diagnostics(values: Mapping[str, object] | None) -> Mapping[str, np.ndarray]:
    """Per-item numeric diagnostics: lowercase identifiers, 1-D, finite or NaN (NaN = not measured)."""
    out = {}
    for name, column in (values or {}).items():
        arr = as_array(column, f"diagnostic {name!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)) or arr.ndim != 1 or np.isinf(arr).any():
            raise OutputError(f"diagnostic {name!r}: names are lowercase identifiers and values a 1-D list, "
                              "finite or NaN")
        out[str(name)] = arr
    return out


@dataclass(frozen=True, eq=False, kw_only=True)
class Output:
    """What every kind's record carries besides its answer."""

    diagnostics: Mapping[str, np.ndarray] = field(default_factory=dict)
    """Per-item numeric model diagnostics, {name: (B,) floats, NaN where not measured} (e.g. Vanilla's
    `parse_failed` 1/0); saved as `d_<name>` prediction columns and summarised per task in results.json."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "diagnostics", _diagnostics(self.diagnostics))


@dataclass(frozen=True, eq=False, kw_only=True)
class Probabilities(Output):
    """`classify`: label probabilities, optionally with predicted gaze."""

    probs: np.ndarray
    """(B, len(spec.labels)) probabilities in [0, 1], columns in `spec.labels` order."""
    gaze: np.ndarray | None = None
    """(B, K) predicted patch indices in temporal order, raster order on spec.grid."""
    saliency: np.ndarray | None = None
    """(B, rows, cols) non-negative attention map on spec.grid."""

    def __post_init__(self) -> None:
        super().__post_init__()
        probs = as_array(self.probs, "probabilities")
        if probs.ndim == 2 and (not np.isfinite(probs).all() or (probs < 0).any() or (probs > 1).any()):
            raise OutputError("probabilities outside [0, 1] or non-finite")
        object.__setattr__(self, "probs", probs)
        if self.gaze is not None:
            object.__setattr__(self, "gaze", np.asarray(as_array(self.gaze, "gaze")))
        if self.saliency is not None:
            object.__setattr__(self, "saliency", as_array(self.saliency, "saliency"))


@dataclass(frozen=True, eq=False, kw_only=True)
class Reports(Output):
    """`report`: one generated radiology report per image (model text only)."""

    reports: tuple[str, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "reports", _texts(self.reports, "reports"))


@dataclass(frozen=True, eq=False, kw_only=True)
class Boxes(Output):
    """`ground`: one box per (image, query) item."""

    boxes: np.ndarray
    """(B, 4) boxes (x1, y1, x2, y2) in pixels of the model's input frame (image_size square); a row all NaN is
    no answer. The engine maps boxes back to image pixels."""

    def __post_init__(self) -> None:
        super().__post_init__()
        arr = as_array(self.boxes, "boxes")
        if arr.ndim == 2 and arr.shape[1] == 4:
            ok = arr[~np.isnan(arr).all(axis=1)]
            if not np.isfinite(ok).all() or (ok[:, 2] < ok[:, 0]).any() or (ok[:, 3] < ok[:, 1]).any():
                raise OutputError("a box that is partly NaN, infinite or has x2 < x1 or y2 < y1 (a box is 4 finite "
                                  "corners, or all NaN for no answer)")
        object.__setattr__(self, "boxes", arr)


@dataclass(frozen=True, eq=False, kw_only=True)
class Answers(Output):
    """`answer`: one answer per (image, question) item (compared after lower-casing and trimming)."""

    answers: tuple[str, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "answers", _texts(self.answers, "answers"))


@dataclass(frozen=True, eq=False, kw_only=True)
class Scanpaths(Output):
    """`trace`: per image an ordered list of predicted gaze regions, and the findings it reports."""

    scanpaths: tuple[np.ndarray, ...]
    """Per image a (K, 4) ordered list of predicted gaze-cluster boxes or (K, 2) centroids, model input frame."""
    reports: tuple[str, ...] | None = None
    """Per image the report whose findings are compared with the readers' (None: no finding reported)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        paths = []
        for value in self.scanpaths:
            arr = as_array(value, "scanpath")
            arr = arr.reshape(0, 2) if arr.size == 0 else arr
            if arr.ndim != 2 or arr.shape[1] not in (2, 4) or not np.isfinite(arr).all():
                raise OutputError(f"a scanpath of shape {arr.shape}: expected finite (K, 4) boxes or (K, 2) "
                                  "centroids")
            paths.append(arr if arr.shape[1] == 2 else (arr[:, :2] + arr[:, 2:]) / 2)
        object.__setattr__(self, "scanpaths", tuple(paths))
        if self.reports is not None:
            object.__setattr__(self, "reports", _texts(self.reports, "reports"))
