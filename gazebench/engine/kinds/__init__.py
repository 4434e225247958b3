"""Task kinds, the engine's one extension point: every kind (classification, report, grounding, vqa, scanpath)
is one `Kind` in the `KINDS` registry, found by name, and a plugin adds one through the `gazebench.kinds`
entry-point group (docs/gazex_track.md). The engine asks a task's kind for its model method, items,
prediction columns, scores and comparison; it never branches on a kind's name."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gazebench.adapter import Adapter
from gazebench.engine.kinds.base import Item, ItemScores, ItemSet, Kind, ScoreContext
from gazebench.engine.kinds.classification import ClassificationKind
from gazebench.engine.kinds.grounding import GroundingKind
from gazebench.engine.kinds.report import ReportKind
from gazebench.engine.kinds.scanpath import ScanpathKind
from gazebench.engine.kinds.vqa import VQAKind
from gazebench.errors import ConfigError, RegistryError
from gazebench.records import Sample
from gazebench.registry import Registry
from gazebench.task import Task

KINDS: Registry[Kind] = Registry("kind", group="gazebench.kinds")
"""Kind name → its Kind class; a plugin registers one with `@register_kind("name")` or an entry point."""
register_kind = KINDS.register
for _builtin in (ClassificationKind, ReportKind, GroundingKind, VQAKind, ScanpathKind):
    KINDS.add(_builtin.name, _builtin)

OUTPUT_NOTE = ("Model output derived from the dataset: predictions/ holds the text, boxes and gaze clusters a model "
               "generated for the dataset's images (ids and model output only; reference reports, phrases, "
               "questions and answers stay in the data directory). Treat it under the dataset's licence. A "
               "privileged model (oracle) that answers with the references stores pointers to them, not their "
               "text.")


def kind_of(task: Task) -> Kind:
    """The kind of `task`, checked to accept the task's definition; an unknown kind is a one-line ConfigError."""
    try:
        kind = KINDS.create(task.kind)
    except RegistryError as exc:
        raise ConfigError(f"task {task.name!r}: {exc}") from None
    try:
        kind.check_task(task)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return kind


def answered_kinds(adapter: Adapter) -> tuple[str, ...]:
    """The registered kinds whose method `adapter` implements, in name order."""
    return tuple(name for name in KINDS.names() if KINDS.create(name).answers(adapter))


def describe_task(task: Task) -> dict[str, Any]:
    """`task.describe()` with the settings its kind reads and the metric family that scores it."""
    kind = kind_of(task)
    return {**task.describe(), "family": kind.family, **kind.describe_task(task)}


def task_items(task: Task, samples: tuple[Sample, ...], side: int) -> ItemSet:
    """The items of `task` on `samples`, references in a `side`-pixel model frame."""
    return kind_of(task).items(task, samples, side)


def unsupported_tasks(tasks: Sequence[str], adapter: Adapter) -> dict[str, str]:
    """{task: reason} for the tasks a run skips before reading data: a kind whose method the model does not
    implement, or a dataset reader that is not installed (a plugin that failed to import, say)."""
    from gazebench.data.readers import READERS
    from gazebench.task import get_task

    out = {}
    for name in tasks:
        task = get_task(name)
        kind = kind_of(task)
        if not kind.answers(adapter):
            answered = ", ".join(answered_kinds(adapter)) or "no"
            out[name] = f"the model answers {answered} tasks, not {task.kind} (it has no `{kind.method}` method)"
        elif task.reader not in READERS:
            out[name] = f"its dataset reader {task.reader!r} is not installed"
    return out


__all__ = ["KINDS", "OUTPUT_NOTE", "Item", "ItemScores", "ItemSet", "Kind", "ScoreContext", "answered_kinds",
           "describe_task", "kind_of", "register_kind", "task_items", "unsupported_tasks"]
