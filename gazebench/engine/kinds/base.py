"""The task-kind interface (`Kind`) and what kinds share: items (one per image or per (image, query)), the frame
map between image pixels and the model's square input, and per-item scores whose metrics are functions of item
weights, so one patient bootstrap (and one paired bootstrap) serves every family. A kind is the one extension
point of the engine: it owns its model method, prediction columns, scoring, CIs, paired comparison and slices."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.adapter import Adapter, ImageBatch, Query
from gazebench.comparison import TaskComparison
from gazebench.engine.config import ScoringOptions
from gazebench.errors import ConfigError, GazebenchError
from gazebench.metrics.randomization import N_PERMUTATIONS
from gazebench.outputs import Output, OutputError
from gazebench.records import Sample
from gazebench.results import TaskResult
from gazebench.task import Task

if TYPE_CHECKING:
    import pandas as pd

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


@dataclass(frozen=True)
class ScoreContext:
    """What scoring one run's predictions of a task needs besides the task, its items and the predictions."""

    where: Path
    """The predictions folder (named in every error)."""
    side: int
    """The model's input size: references and outputs are mapped between its square frame and image pixels."""
    options: ScoringOptions
    seed: int
    grid: tuple[int, int] | None = None
    """The model's gaze grid (None if it predicts no gaze)."""
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    """The run's decision thresholds {"policy", "source", "values": {label: t}} (gazebench.engine.scoring)."""


class Kind(ABC):
    """One task kind: which model method answers it, which items a task has, what the method's output is stored
    as, how it is scored (with patient-bootstrap CIs and slices) and compared (paired bootstrap)."""

    name: str
    """The kind's name, as tasks declare it (`Task.kind`)."""
    family: str
    """The metric family that scores it (gazebench.metrics.vocabulary)."""
    method: str
    """The model method that answers it: `method(batch: ImageBatch) -> output`."""
    output: type[Output]
    """The record the method returns."""
    per_query: bool = False
    """True if a task's items are (image, query) pairs, so the task declares its `queries`."""
    model_text: bool = True
    """True if the stored output is model text or geometry derived from the dataset (the run gets a note)."""
    reads_labels: bool = False
    """True if a task's `labels` decide its scores (listings show them)."""
    label_views: bool = False
    """True if the viewer's per-label pages apply (ROC, reliability, confusion, the sample browser by loss)."""

    def check_task(self, task: Task) -> None:
        """A task definition this kind cannot score is a ValueError naming the task."""
        if (task.queries is not None) != self.per_query:
            need = "declare their queries" if self.per_query else "declare no queries"
            raise ValueError(f"task {task.name!r}: {self.name} tasks {need}")

    def describe_task(self, task: Task) -> dict[str, Any]:
        """Settings of `task` this kind reads, beside `Task.describe()` (e.g. its report labeler)."""
        return {}

    def answers(self, adapter: Adapter) -> bool:
        """True if `adapter` implements this kind's method."""
        return callable(getattr(adapter, self.method, None))

    def check_model(self, task: Task, adapter: Adapter, model: str) -> None:
        """A model that answers this kind but cannot answer `task` is a one-line ConfigError (before data)."""
        return None

    def predict(self, adapter: Adapter, batch: ImageBatch) -> Output:
        """The adapter's answer for `batch`, checked to be this kind's record."""
        try:
            out = getattr(adapter, self.method)(batch)
        except OutputError as exc:
            raise GazebenchError(f"model {type(adapter).__name__} returned {exc}") from None
        if not isinstance(out, self.output):
            raise GazebenchError(f"model {type(adapter).__name__}.{self.method} returned {type(out).__name__}, "
                                 f"not {self.output.__name__}")
        return out

    @abstractmethod
    def items(self, task: Task, samples: Sequence[Sample], side: int) -> ItemSet:
        """The task's items on `samples`; `side` is the model's input size (references in its frame)."""

    @abstractmethod
    def columns(self, out: Any, ids: Sequence[str], side: int, adapter: Adapter) -> dict[str, Any]:
        """The prediction-chunk columns of one batch of items `ids` (checked against the contract)."""

    def maps(self, out: Any, ids: Sequence[str], adapter: Adapter) -> np.ndarray | None:
        """(n, cells) float maps stored in the chunk's binary sidecar (saliency), or None."""
        return None

    @abstractmethod
    def scores(self, task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
        """Per-item scores of the stored predictions `df` (rows in item order; `where` names the folder)."""

    def result(self, task: Task, items: ItemSet, df: pd.DataFrame, ctx: ScoreContext) -> TaskResult:
        """One task's result: its family's metrics with patient-bootstrap CIs, item and patient counts, what was
        skipped, and the family's own counts (details)."""
        from gazebench.engine.kinds.bootstrap import metric_block
        from gazebench.engine.predictions import aligned, diagnostics_summary
        from gazebench.metrics.vocabulary import metric_names

        if not items.items:
            raise ConfigError(f"{ctx.where}: task {task.name!r} has no {task.kind} item on its evaluated images "
                              "(no reference report, query or reading)")
        scores = self.scores(task, items, aligned(items.samples, df, ctx.where), ctx.side, ctx.where)
        return TaskResult(kind=task.kind, family=self.family, n=len(items.items),
                          n_patients=len(set(scores.clusters)),
                          metrics=metric_block(scores, metric_names(self.family), ctx.options.n_boot, ctx.seed,
                                               ctx.options.ci_level),
                          skipped=items.skipped, diagnostics=diagnostics_summary(df, ctx.where),
                          details={"n_images": len({i.sample.image_path for i in items.items}), **scores.extra})

    def table_note(self, result: TaskResult) -> str:
        """What the run table prints beside the task's metrics (e.g. items skipped)."""
        return "; ".join(f"{reason}: {n}" for reason, n in result.skipped.items())

    def caption_lines(self, name: str, result: TaskResult) -> list[str]:
        """Lines the run table prints under itself for task `name` (e.g. a warning about its scores)."""
        return []

    table_caption: str | None = None
    """A note the run table prints once under itself when a task of this kind is in it."""

    def check_result(self, result: TaskResult, where: str) -> None:
        """Internal consistency of a stored result beyond the shape `from_json` checks; ConfigError if not."""
        return None

    def curve(self, task: Task, items: ItemSet, df: pd.DataFrame, ctx: ScoreContext) -> dict[str, list[float]] | None:
        """A curve drawn for the task (classification: the macro ROC), or None."""
        return None

    def compare(self, task: Task, items: ItemSet, dfs: tuple[pd.DataFrame, pd.DataFrame],
                ctxs: tuple[ScoreContext, ScoreContext], n_boot: int, seed: int,
                n_perm: int = N_PERMUTATIONS) -> TaskComparison:
        """Paired comparison (B − A) of two runs' predictions on the same items, every metric of the family (a,
        b, diff, ci, p_value, sd, mdd, verdict), plus a kind's own tests of a metric; `n_perm` is the number of
        trials of a kind's own randomization test, where it has one (report)."""
        from gazebench.engine.kinds.bootstrap import paired_block
        from gazebench.engine.predictions import aligned
        from gazebench.metrics.vocabulary import metric_names

        a, b = (self.scores(task, items, aligned(items.samples, df, c.where), c.side, c.where)
                for df, c in zip(dfs, ctxs, strict=True))
        return TaskComparison(len(items.items), paired_block(a, b, metric_names(self.family), n_boot, seed, 0.95))
