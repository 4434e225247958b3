"""The split policy is part of a task's definition: `mimic-eye` keeps the official MIMIC-CXR split MIMIC-EYE
ships, `mimic-eye-patient-split` re-splits patients; `all` leaves the variant out; empty parts are refused."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixtures.formats as F
from gazebench.cli.main import cli
from gazebench.data.manifest import manifest
from gazebench.engine.workload import TaskData
from gazebench.errors import ConfigError
from gazebench.task import default_task_names, get_task, resolve_tasks


def test_official_split_is_the_default_and_recorded(trees: dict[str, Path]) -> None:
    official, patient = get_task("mimic-eye"), get_task("mimic-eye-patient-split")
    described = official.describe()["split_policy"]
    assert (official.version, official.split_policy, described) == ("2", "official", "official")
    assert patient.split_policy == "patient re-split 70/10/20" and patient.variant_of == "mimic-eye"
    assert get_task("chexpert").split_policy == "whole set is test"
    samples = {s.sample_id: s.split for s in official.load(trees["mimic-eye"].parent).samples}
    assert samples == {F.D_A: "train", F.D_C: "train", F.D_D: "test"}  # as cxr_split.csv says
    resplit = patient.load(trees["mimic-eye"].parent)
    assert {s.sample_id for s in resplit.samples} == set(samples) and "patient-level" in resplit.info["split"]


def test_all_leaves_variants_out() -> None:
    assert "mimic-eye-patient-split" not in default_task_names()
    assert [t.name for t in resolve_tasks("all")] == default_task_names()
    assert [t.name for t in resolve_tasks("mimic-eye-patient-split")] == ["mimic-eye-patient-split"]


def test_empty_parts_are_refused_in_one_line(trees: dict[str, Path]) -> None:
    task = get_task("mimic-eye")
    dataset = task.load(trees["mimic-eye"].parent)
    only_train = dataclasses.replace(dataset, samples=dataset.split("train"))
    data = TaskData(task, only_train, manifest(only_train))
    with pytest.raises(ConfigError, match=r"task 'mimic-eye': split 'test' of .* is empty"):
        _ = data.eval_samples
    only_test = dataclasses.replace(dataset, samples=dataset.split("test"))
    data = TaskData(task, only_test, manifest(only_test))
    with pytest.raises(ConfigError, match=r"split 'train' of .* is empty; nothing to fit on"):
        _ = data.train_samples
    assert data.skips == {s.reason: {"count": s.count, "examples": list(s.examples),
                                     **({} if s.kind == "skipped" else {"kind": s.kind})} for s in dataset.skips}


def test_list_tasks_shows_the_split_policy() -> None:
    result = CliRunner().invoke(cli, ["list", "tasks", "--json"])
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert rows["mimic-eye"]["split_policy"] == "official"
    assert rows["mimic-eye-patient-split"]["patient_split"] == [0.7, 0.1, 0.2]
