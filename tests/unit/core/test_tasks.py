"""Contract tests over every registered task, and the label policies tasks apply."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from gazebench.labels import CHEXPERT_LABELS
from gazebench.records import Sample
from gazebench.task import TASKS, apply_label_policy, get_task, resolve_tasks


@pytest.mark.parametrize("name", TASKS.names())
def test_every_task_is_a_valid_versioned_definition(name: str) -> None:
    task = get_task(name)
    assert task.name == name
    assert task.version
    assert set(task.labels) <= set(CHEXPERT_LABELS)
    assert task.label_columns == [CHEXPERT_LABELS.index(label) for label in task.labels]
    described = task.describe()
    assert described["name"] == name and described["labels"] == list(task.labels)
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.name = "other"  # type: ignore[misc]  # frozen


def test_exactly_one_in_domain_task_with_train_and_validate() -> None:
    in_domain = [get_task(n) for n in TASKS.names() if get_task(n).in_domain]
    classifiers = [t.name for t in in_domain if t.variant_of is None and t.kind == "classification"]
    assert classifiers == ["mimic-eye"]  # plus its split variant, and the GazeX tasks on the same images
    assert all(t.train_split == "train" and t.val_split == "validate" for t in in_domain)


def test_label_policies() -> None:
    raw = np.array([[1.0, 0.0, -1.0, math.nan]])
    assert np.array_equal(apply_label_policy(raw, "ignore", "negative"), [[1, 0, math.nan, 0]], equal_nan=True)
    assert np.array_equal(apply_label_policy(raw, "zeros", "ignore"), [[1, 0, 0, math.nan]], equal_nan=True)
    assert np.array_equal(apply_label_policy(raw, "ones", "negative"), [[1, 0, 1, 0]], equal_nan=True)


def test_targets_select_the_task_labels(tmp_path) -> None:
    labels = [math.nan] * 14
    labels[CHEXPERT_LABELS.index("Pneumonia")] = 1.0
    sample = Sample("a", "p", "s", tmp_path / "a.dcm", tuple(labels))
    assert get_task("rsna").targets([sample]).tolist() == [[1.0]]
    assert np.isnan(get_task("siim-acr").targets([sample])).all()  # blank is masked, not negative


def test_resolve_all_and_lists() -> None:
    assert [t.name for t in resolve_tasks("all")] == [n for n in TASKS.names() if get_task(n).variant_of is None]
    assert [t.name for t in resolve_tasks("rsna, chexpert")] == ["rsna", "chexpert"]
