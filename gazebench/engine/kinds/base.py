"""What every non-classification kind shares: items (one per image or per (image, query)), the frame map
between image pixels and the model's square input, and per-item scores whose metrics are functions of item
weights, so one patient bootstrap (and one paired bootstrap) serves every family."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gazebench.adapter import Adapter, Predictions, Query
from gazebench.records import Sample
from gazebench.task import Task

ITEM_SEPARATOR = "#"
"""Item id of a per-query task: `<image id>#<query key>`; per-image tasks use the image id itself."""


@dataclass(frozen=True, eq=False)
class Item:
    """One thing a model is asked: an image (as the engine's Sample, id made unique per query) and its query."""

    item_id: str
    sample: Sample
    """The image's record, with `sample_id` = item_id; the model never sees it."""
    query: Query = field(default_factory=Query)
    image_size: tuple[float, float] = (0.0, 0.0)
    """(width, height) of the original image, the frame references are in (0 where the kind needs none)."""
    reference: Any = None
    """The reference in image pixels or text, kept in memory for scoring (Query.reference is the model frame)."""
    group: str = ""
    """Sub-population the item belongs to (VQA question type); "" where the kind has none."""


@dataclass(frozen=True, eq=False)
class ItemSet:
    """A task's items on its evaluated images and what was left out, one count per reason."""

    items: tuple[Item, ...]
    skipped: Mapping[str, int] = field(default_factory=dict)

    @property
    def samples(self) -> tuple[Sample, ...]:
        return tuple(i.sample for i in self.items)

    @property
    def queries(self) -> dict[str, Query]:
        return {i.item_id: i.query for i in self.items}


Statistic = Callable[[np.ndarray], dict[str, float]]
"""Item weights (N,) (1 each for the point estimate, draw counts in a bootstrap replicate) → metric values."""


@dataclass(frozen=True, eq=False)
class ItemScores:
    """Per-item evidence of one model on one task and the statistic that turns item weights into metrics."""

    statistic: Statistic
    clusters: np.ndarray
    """(N,) patient of each item: the bootstrap resamples patients."""
    extra: dict[str, Any] = field(default_factory=dict)
    """JSON-ready counts and settings reported beside the metrics (missing answers, skipped readings...)."""


def item(sample: Sample, key: str | None, **fields: Any) -> Item:
    """An Item for `sample`: id `<sample id>#<key>` for a per-query item, the sample id when `key` is None."""
    item_id = sample.sample_id if key is None else f"{sample.sample_id}{ITEM_SEPARATOR}{key}"
    return Item(item_id=item_id, sample=replace(sample, sample_id=item_id), **fields)


def original_size(sample: Sample) -> tuple[float, float]:
    """(width, height) of the image: a reading's frame where there is one, else the file header."""
    if sample.gaze:
        w, h = sample.gaze[0].image_size
        return float(w), float(h)
    from gazebench.data.images import image_size

    w, h = image_size(sample.image_path)
    return float(w), float(h)


def to_model_frame(xy: np.ndarray, image_size: tuple[float, float], side: int) -> np.ndarray:
    """Image-pixel coordinates (..., 2k) → the model's `side`×`side` input frame (resize without crop)."""
    scale = np.tile([side / image_size[0], side / image_size[1]], np.shape(xy)[-1] // 2)
    return np.asarray(xy, dtype=np.float64) * scale


def to_image_frame(xy: np.ndarray, image_size: tuple[float, float], side: int) -> np.ndarray:
    """The inverse of `to_model_frame`."""
    scale = np.tile([image_size[0] / side, image_size[1] / side], np.shape(xy)[-1] // 2)
    return np.asarray(xy, dtype=np.float64) * scale


class KindScorer(ABC):
    """One task kind: which items a task has, what the model's output for them is stored as, how it is scored."""

    name: str

    @abstractmethod
    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        """The task's items on `samples`; `side` is the model's input size (references in its frame)."""

    @abstractmethod
    def columns(self, out: Predictions, n: int, side: int, adapter: Adapter) -> dict[str, Any]:
        """The prediction-chunk columns of one batch of `n` items (checked against the contract)."""

    @abstractmethod
    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        """Per-item scores of the stored predictions `df` (rows in item order; `where` names the folder)."""
