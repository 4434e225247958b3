"""What the viewer reads: verified runs (results.json) and, on demand, each task's samples and saved
predictions (labels and images stay in the data root; nothing here writes a file)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gazebench.engine.kinds import ItemSet, task_items
from gazebench.engine.predictions import aligned, read_predictions, score_matrix
from gazebench.engine.references import resolve
from gazebench.engine.rundir import RunDir
from gazebench.engine.verify import VerifiedRun, verify_run
from gazebench.engine.workload import TaskData, run_data
from gazebench.errors import ConfigError
from gazebench.records import Sample
from gazebench.results import TaskResult

EPS = 1e-6
"""Scores are clipped to [EPS, 1 − EPS] inside the per-sample log loss (a score of exactly 0 or 1 is finite)."""


@dataclass(frozen=True, eq=False)
class TaskView:
    """One run's task: samples in evaluation order, targets, scores, thresholds and the raw prediction rows."""

    data: TaskData
    frame: pd.DataFrame
    y: np.ndarray
    p: np.ndarray
    thresholds: np.ndarray

    @property
    def samples(self) -> tuple[Sample, ...]:
        return self.data.eval_samples

    @property
    def labels(self) -> tuple[str, ...]:
        return self.data.task.labels

    def loss(self) -> np.ndarray:
        """(N,) mean binary cross-entropy over each image's evaluable labels (NaN if none)."""
        p = np.clip(self.p, EPS, 1 - EPS)
        ce = -(self.y * np.log(p) + (1 - self.y) * np.log(1 - p))
        ok = ~np.isnan(ce)
        n = ok.sum(axis=1)
        return np.where(n > 0, np.where(ok, ce, 0.0).sum(axis=1) / np.maximum(n, 1), np.nan)


@dataclass(frozen=True, eq=False)
class KindView:
    """One run's non-classification task: its items (references in memory) and the stored outputs, aligned."""

    data: TaskData
    items: ItemSet
    stored: pd.DataFrame
    """The prediction rows as written (pointers as pointers), in item order."""
    frame: pd.DataFrame
    """The same rows with pointers resolved to the references they name."""
    side: int
    """The model's input side: stored boxes and points are in its frame."""
    folder: Path
    """The predictions folder (named in errors)."""

    @property
    def kind(self) -> str:
        return self.data.task.kind

    def index_of(self, item_id: str) -> int:
        found = next((k for k, i in enumerate(self.items.items) if i.item_id == item_id), None)
        if found is None:
            raise ConfigError(f"no item {item_id!r} in {self.data.task.name}")
        return found


def kind_view(config: dict[str, Any], path: Path, data: TaskData) -> KindView:
    """Items of `data`'s task in the run's model frame and its saved predictions (aligned, pointers resolved)."""
    side = int(config["adapter"]["spec"]["image_size"])
    items = task_items(data.task, data.eval_samples, side)
    folder = RunDir(path).predictions(data.task.name)
    stored = aligned(items.samples, read_predictions(folder), folder)
    privileged = (config.get("adapter") or {}).get("track") == "privileged"
    return KindView(data, items, stored, resolve(stored, items, privileged, folder), side, folder)


@dataclass(eq=False)
class Viewer:
    """The runs given to `gazebench view`, verified once, with task data and predictions loaded when first asked."""

    runs: tuple[VerifiedRun, ...]
    data_root: Path | None = None
    _tasks: dict[tuple[int, str], TaskView] = field(default_factory=dict)
    _kinds: dict[tuple[int, str], KindView] = field(default_factory=dict)

    @classmethod
    def open(cls, run_dirs: list[Path], data_root: Path | None = None) -> Viewer:
        """Verify every run (a one-line ConfigError for the first that fails)."""
        if not run_dirs:
            raise ConfigError("give at least one run directory")
        return cls(tuple(verify_run(p) for p in run_dirs), data_root)

    def run(self, index: int) -> VerifiedRun:
        if not 0 <= index < len(self.runs):
            raise ConfigError(f"no run number {index} (have {len(self.runs)})")
        return self.runs[index]

    def results(self, index: int, task: str) -> TaskResult:
        block = self.run(index).results.tasks.get(task)
        if block is None:
            raise ConfigError(f"run {self.run(index).path.name} did not evaluate task {task!r}")
        return block

    def kind_of(self, index: int, task: str) -> str:
        """The kind of a task this run evaluated (classification, report, grounding, vqa, scanpath)."""
        return self.results(index, task).kind

    def labelled(self, index: int, task: str) -> bool:
        """Whether the task's kind has per-label views (classification: label scores per image), else items."""
        from gazebench.engine.kinds import KINDS

        return bool(KINDS.create(self.kind_of(index, task)).label_views)

    def kind(self, index: int, task: str) -> KindView:
        """An item task's items and this run's stored outputs for them (its pages: gazebench.viewer.kinds)."""
        key = (index, task)
        if key not in self._kinds:
            run = self.run(index)
            self._kinds[key] = kind_view(run.config, run.path, run_data(run.config, self.data_root)[task])
        return self._kinds[key]

    def task(self, index: int, task: str) -> TaskView:
        """The task's samples and this run's predictions for them, aligned (data read from the data root)."""
        if not self.labelled(index, task):
            raise ConfigError(f"task {task!r} is a {self.kind_of(index, task)} task: it has items, not label scores")
        key = (index, task)
        if key not in self._tasks:
            run = self.run(index)
            self.results(index, task)
            data = run_data(run.config, self.data_root)[task]
            folder = RunDir(run.path).predictions(task)
            frame = aligned(data.eval_samples, read_predictions(folder), folder)
            values = run.results.thresholds.get("values") or {}
            self._tasks[key] = TaskView(data, frame, data.task.targets(data.eval_samples),
                                        score_matrix(frame, data.task.labels, folder),
                                        np.array([values.get(k, 0.5) for k in data.task.labels], dtype=np.float64))
        return self._tasks[key]
