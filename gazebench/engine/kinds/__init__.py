"""Task kinds beyond classification: each kind (report, grounding, vqa, scanpath) is one KindScorer that
builds the task's items, stores the model's outputs as prediction columns and scores them with its metric
family; `KINDS` is the one place a kind is added (docs/gazex_track.md)."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from gazebench.engine.kinds.base import Item, ItemScores, ItemSet, KindScorer
from gazebench.engine.kinds.bootstrap import metric_block, paired_block
from gazebench.engine.kinds.grounding import GroundingKind
from gazebench.engine.kinds.report import ReportKind
from gazebench.engine.kinds.scanpath import ScanpathKind
from gazebench.engine.kinds.vqa import VQAKind
from gazebench.metrics.vocabulary import metric_names
from gazebench.records import Sample
from gazebench.task import Task

KINDS: Mapping[str, KindScorer] = MappingProxyType(
    {k.name: k for k in (ReportKind(), GroundingKind(), VQAKind(), ScanpathKind())})
"""Kind name → its scorer; classification keeps the engine's own path (gazebench.engine.scoring)."""

OUTPUT_NOTE = ("Model output derived from the dataset: predictions/ holds the text, boxes and gaze clusters a model "
               "generated for the dataset's images (ids and model output only; reference reports, phrases, "
               "questions and answers stay in the data directory). Treat it under the dataset's licence. A "
               "privileged model (oracle) that answers with the references stores pointers to them, not their "
               "text.")
README = "README.md"


def scorer(task: Task) -> KindScorer:
    """The scorer of a non-classification task."""
    return KINDS[task.kind]


def task_items(task: Task, samples: tuple[Sample, ...], side: int) -> ItemSet:
    """The items of a non-classification task on `samples`, references in a `side`-pixel model frame."""
    return scorer(task).items(task, samples, side)


def kind_scores(task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path) -> ItemScores:
    """Per-item scores of stored predictions `df` (aligned to `items` first)."""
    from gazebench.engine.scoring import aligned

    return scorer(task).scores(task, items, aligned(items.samples, df, where), side, where)


def kind_result(task: Task, items: ItemSet, df: pd.DataFrame, side: int, where: Path, n_boot: int, seed: int,
                level: float) -> dict[str, Any]:
    """One non-classification task's `results.<task>` block: its family's metrics with patient-bootstrap CIs,
    item and patient counts, what was skipped, and the family's own counts."""
    if not items.items:
        raise_empty(task, where)
    from gazebench.engine.scoring import diagnostics_summary

    scores = kind_scores(task, items, df, side, where)
    out = metric_block(scores, metric_names(task.family), n_boot, seed, level)
    out.update({"kind": task.kind, "family": task.family, "n": len(items.items),
                "n_images": len({i.sample.image_path for i in items.items}),
                "n_patients": len(set(scores.clusters)), "items_skipped": dict(items.skipped), **scores.extra})
    diagnostics = diagnostics_summary(df, where)
    if diagnostics:
        out["diagnostics"] = diagnostics
    return out


def kind_comparison(task: Task, items: ItemSet, df_a: pd.DataFrame, df_b: pd.DataFrame, side: tuple[int, int],
                    where: tuple[Path, Path], n_boot: int, seed: int) -> dict[str, Any]:
    """Paired comparison (B − A) of two runs' stored predictions on the same items, every metric of the family."""
    a = kind_scores(task, items, df_a, side[0], where[0])
    b = kind_scores(task, items, df_b, side[1], where[1])
    return {"n": len(items.items), "metrics": paired_block(a, b, metric_names(task.family), n_boot, seed, 0.95)}


def raise_empty(task: Task, where: Path) -> None:
    """A task with no item on its evaluated images is a one-line error (never a silent empty score)."""
    from gazebench.errors import ConfigError

    raise ConfigError(f"{where}: task {task.name!r} has no {task.kind} item on its evaluated images "
                      "(no reference report, query or reading)")




def prediction_inputs(task: Task, samples: tuple[Sample, ...],
                      side: int) -> tuple[tuple[Sample, ...], str, dict[str, Any] | None]:
    """What `predict_split` runs for a task: (samples or items, kind, queries by item id or None)."""
    if task.kind == "classification":
        return samples, task.kind, None
    items = task_items(task, samples, side)
    return items.samples, task.kind, items.queries


def unsupported_tasks(tasks: tuple[str, ...], kinds: tuple[str, ...]) -> dict[str, str]:
    """{task: reason} for the tasks a run skips before reading data: a kind the model (answering `kinds`) does
    not answer, or a dataset reader that is not installed (a plugin that failed to import, say)."""
    from gazebench.data.readers import READERS
    from gazebench.task import get_task

    out = {}
    for name in tasks:
        task = get_task(name)
        if task.kind not in kinds:
            out[name] = f"the model answers {', '.join(kinds)} tasks, not {task.kind}"
        elif task.reader not in READERS:
            out[name] = f"its dataset reader {task.reader!r} is not installed"
    return out


def itemless_tasks(tasks: tuple[str, ...], data: Mapping[str, Any], side: int) -> dict[str, str]:
    """{task: reason} for the non-classification tasks with no item on their evaluated images (e.g. a copy of
    MIMIC-EYE without its MIMIC-CXR reports): a run skips them, with the reason, rather than score nothing."""
    out = {}
    for name in tasks:
        task = data[name].task
        if task.kind != "classification":
            items = task_items(task, data[name].eval_samples, side)
            if not items.items:
                reasons = "; ".join(f"{k}: {v}" for k, v in items.skipped.items())
                out[name] = f"no {task.kind} item on its {task.eval_split} images ({reasons})"
    return out


__all__ = ["KINDS", "OUTPUT_NOTE", "Item", "ItemScores", "ItemSet", "KindScorer", "kind_comparison", "kind_result",
           "itemless_tasks", "prediction_inputs", "scorer", "task_items", "unsupported_tasks"]
