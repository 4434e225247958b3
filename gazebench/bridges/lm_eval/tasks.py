"""gazebench tasks as inline lm-eval task configs (Python dicts for `simple_evaluate(tasks=[...])`).

Docs are read from the task's eval split by gazebench's own reader and hold ids, the image path and the
target vector only (never report or dictation text). Each doc asks one loglikelihood request per label;
the aggregations compute corpus-level macro metrics of the classification family (AUROC, and Acc/F1 at 0.5)
with `gazebench.metrics`, named and directed as `gazebench.metrics.vocabulary` declares them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gazebench.engine.kinds import kind_of
from gazebench.engine.kinds.classification import ClassificationKind
from gazebench.errors import ConfigError
from gazebench.metrics.vocabulary import Metric, metrics_for
from gazebench.task import Task, get_task

if TYPE_CHECKING:
    import datasets

PROMPT = "Chest X-ray finding:"
"""The fixed context of every request; the continuation names the label."""
DOC_FIELDS = ("task", "sample_id", "patient_id", "image_path", "labels")
"""Every field a doc holds (lm-eval logs docs verbatim)."""
FAMILY = ClassificationKind.family
BRIDGED_FAMILIES: tuple[str, ...] = (FAMILY,)
"""Metric families the bridge can score: each doc is answered by per-label loglikelihoods, which only
classification uses; generated text, boxes and trajectories go through `gazebench run`."""
THRESHOLD = 0.5

Pair = tuple[list[float], list[float]]
"""One doc's (targets, scores), NaN targets masked."""


def lm_eval_task_name(task: str) -> str:
    return f"gazebench_{task}"


def metric_key(metric: Metric, subset: str | None = None) -> str:
    """lm-eval metric name: `auroc` for the macro over all labels, `auroc_<subset>` for a named label subset."""
    return metric.name if subset is None else f"{metric.name}_{subset}"


def label_groups(task: Task) -> list[tuple[str | None, list[int]]]:
    """(subset name, label columns) of every macro the task reports: None for all labels, then its subsets."""
    return [(None, list(range(len(task.labels)))),
            *((name, [task.labels.index(label) for label in labels]) for name, labels in task.subsets)]


@dataclass(frozen=True)
class MacroMetric:
    """lm-eval aggregation: one macro statistic over every doc's (targets, scores) pair, as the engine defines it."""

    stat: str

    def __call__(self, items: list[Pair]) -> float:
        from gazebench.metrics import summary

        y = np.array([gold for gold, _ in items], dtype=np.float64)
        p = np.array([score for _, score in items], dtype=np.float64)
        value = summary(y, p, THRESHOLD, [str(j) for j in range(y.shape[1])])[self.stat]
        return math.nan if value is None else float(value)


def docs(task: Task, data_root: Path | str) -> datasets.Dataset:
    """The eval split of `task` under `data_root` as lm-eval docs (fields DOC_FIELDS; labels NaN where masked)."""
    import datasets

    dataset = task.load(Path(data_root))
    samples = dataset.split(task.eval_split)
    if not samples:
        raise ConfigError(f"task {task.name!r}: split {task.eval_split!r} of {dataset.root} is empty")
    targets = task.targets(samples)
    return datasets.Dataset.from_list([
        {"task": task.name, "sample_id": s.sample_id, "patient_id": s.patient_id, "image_path": str(s.image_path),
         "labels": [float(v) for v in y]}
        for s, y in zip(samples, targets, strict=True)])


def image_paths(doc: dict[str, Any]) -> list[str]:
    """`doc_to_image`: the image's path (the model reads it through gazebench's loader, to its InputSpec)."""
    return [doc["image_path"]]


def metric_items(task: Task, doc: dict[str, Any], results: list[tuple[float, bool]]) -> dict[str, Pair]:
    """`process_results`: (targets, P(label)) for the macro and for each named label subset, one key per statistic."""
    y = [float(v) for v in doc["labels"]]
    p = [math.exp(ll) for ll, _ in results]
    out = {}
    for subset, cols in label_groups(task):
        pair = ([y[c] for c in cols], [p[c] for c in cols])
        out.update({metric_key(m, subset): pair for m in metrics_for(FAMILY)})
    return out


def task_config(name: str, data_root: Path | str | None = None) -> dict[str, Any]:
    """The lm-eval config of gazebench task `name`, reading `data_root` (or lm-eval metadata `data_root`)."""
    from gazebench.data_root import data_root as resolve_root

    task = get_task(name)
    if kind_of(task).family not in BRIDGED_FAMILIES:
        raise ConfigError(f"task {name!r} is a {task.kind} task: the lm-eval bridge scores the "
                          f"{', '.join(BRIDGED_FAMILIES)} family only (loglikelihood requests); run it with "
                          "`gazebench run`, which scores every kind")
    root = str(resolve_root(data_root))

    def dataset(**metadata: Any) -> dict[str, datasets.Dataset]:
        return {task.eval_split: docs(task, metadata.get("data_root") or root)}

    def process_results(doc: dict[str, Any], results: list[tuple[float, bool]]) -> dict[str, Any]:
        return metric_items(task, doc, results)

    keyed = [(metric_key(m, subset), m) for subset, _ in label_groups(task) for m in metrics_for(FAMILY)]
    return {
        "task": lm_eval_task_name(task.name),
        "custom_dataset": dataset,
        "test_split": task.eval_split,
        "output_type": "multiple_choice",
        "num_fewshot": 0,
        "doc_to_text": PROMPT,
        "doc_to_choice": list(task.labels),
        "doc_to_target": 0,
        "doc_to_image": image_paths,
        "process_results": process_results,
        "metric_list": [{"metric": key, "aggregation": MacroMetric(m.name), "higher_is_better": m.higher_is_better}
                        for key, m in keyed],
        "metadata": {"version": task.version},
    }
