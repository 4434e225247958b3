"""A third-party task kind added without touching gazebench: `counting` asks a model how many findings an image
shows (its method `count` returns `Counts`), scored by a new metric family `counting` (mean absolute error and
exact-count accuracy, patient-bootstrap CIs and paired comparisons from gazebench's shared item bootstrap).
Everything reaches gazebench through entry points: the kind, the family, a task and a model."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gazebench.adapter import Adapter, ImageBatch, InputSpec, Provenance
from gazebench.engine.kinds import ItemScores, ItemSet, Kind
from gazebench.engine.kinds.base import item
from gazebench.engine.kinds.columns import numbers
from gazebench.metrics.vocabulary import Metric
from gazebench.outputs import Output, OutputError, as_array
from gazebench.records import Sample
from gazebench.task import Task, get_task


def counting_family() -> tuple[Metric, ...]:
    """The `counting` metric family, in table order."""
    return (Metric("count_mae", "Count MAE", "counting", higher_is_better=False, scale=1.0, unit="",
                   description="mean absolute error of the predicted number of positive findings"),
            Metric("count_exact", "Count exact", "counting", higher_is_better=True,
                   description="share of images whose predicted count is exactly right"))


@dataclasses.dataclass(frozen=True, eq=False, kw_only=True)
class Counts(Output):
    """`count`: one non-negative number of findings per image."""

    counts: np.ndarray

    def __post_init__(self) -> None:
        super().__post_init__()
        counts = as_array(self.counts, "counts")
        if counts.ndim != 1 or not np.isfinite(counts).all() or (counts < 0).any():
            raise OutputError("counts that are not one finite, non-negative number per image")
        object.__setattr__(self, "counts", counts)


def positives(sample: Sample) -> int:
    """The reference: how many CheXpert labels are positive (code 1) on the image."""
    return int(sum(1 for code in sample.labels if code == 1.0))


class CountingKind(Kind):
    """`counting` tasks: one item per image, the model's `count`, a `count` prediction column."""

    name = "counting"
    family = "counting"
    method = "count"
    output = Counts
    model_text = False

    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        return ItemSet(tuple(item(s, None, reference=positives(s)) for s in samples))

    def columns(self, out: Counts, ids: Sequence[str], side: int, adapter: Adapter) -> dict[str, Any]:
        if len(out.counts) != len(ids):
            raise OutputError(f"{len(out.counts)} counts for {len(ids)} images")
        return {"count": out.counts}

    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        predicted = numbers(df, ["count"], where)[:, 0]
        reference = np.array([i.reference for i in items.items], dtype=np.float64)
        error = np.abs(predicted - reference)

        def statistic(w: np.ndarray) -> dict[str, float]:
            total = float(w.sum())
            return {"count_mae": float(w @ error) / total, "count_exact": float(w @ (error < 0.5)) / total}

        return ItemScores(statistic, np.array([i.sample.patient_id for i in items.items], dtype=object),
                          {"mean_reference": float(reference.mean())})


def counting_task() -> Task:
    """RSNA's test images, asked for the number of positive findings."""
    return dataclasses.replace(get_task("rsna"), name="plugin-counting", version="1",
                               description="How many positive findings (plugin kind)", kind="counting")


class Counter(Adapter):
    """Counts `bias` plus the image's mean grey level: trivial, but it looks at the pixels."""

    spec = InputSpec(image_size=8)
    provenance = Provenance(source="gazebench-plugin-counting")

    def __init__(self, bias: float = 0.0) -> None:
        self.bias = float(bias)

    def config(self) -> dict[str, Any]:
        return {"bias": self.bias}

    def count(self, batch: ImageBatch) -> Counts:
        grey = batch.pixels.float().mean(dim=(1, 2, 3)).cpu().numpy() * 0.5 + 0.5
        return Counts(counts=np.clip(np.round(grey * 2 + self.bias), 0, None))
