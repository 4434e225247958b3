"""The embedded default end to end: `data synth` then `data check` on every generated tree, with the
counts the generator says it wrote; and every task loads it through the same readers as real data."""
from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from gazebench.cli.main import cli
from gazebench.task import get_task

TREES = {
    "mimic-eye": "mimic-eye",
    "chexpert": "CheXpert-v1.0-small",
    "rsna": "rsna-pneumonia-detection-challenge",
    "siim-acr": "siim-acr-pneumothorax",
}


@pytest.fixture(scope="module")
def synth_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "study"
    result = CliRunner().invoke(cli, ["data", "synth", "--out", str(out), "--size", "small", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("name", sorted(TREES))
def test_data_check_passes_with_the_generated_counts(synth_root: Path, name: str) -> None:
    written = json.loads((synth_root / "SIMULATED.json").read_text())["counts"][name]
    result = CliRunner().invoke(cli, ["data", "check", name, str(synth_root / TREES[name]), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["problems"] == []
    assert report["images"] == written["images"]
    assert report["version"] == "simulated-v4 (seed 3)"
    if "patients" in written:
        assert report["patients"] == written["patients"]
    if "positive" in written:
        label = {"rsna": "Pneumonia", "siim-acr": "Pneumothorax"}[name]
        assert report["labels"][label] == written["positive"]
    if name == "mimic-eye":
        assert report["readings"] == written["reflacx_readings"] - written["reflacx_discarded"] + written[
            "eyegaze_readings"
        ]
        assert report["fixations"] > 20 * report["readings"]


def test_data_check_fails_on_an_unusable_tree(tmp_path: Path) -> None:
    (tmp_path / "rsna").mkdir()
    result = CliRunner().invoke(cli, ["data", "check", "rsna", str(tmp_path / "rsna"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["problems"]


SHIPPED = sorted(ep.name for ep in entry_points(group="gazebench.tasks"))
"""The tasks gazebench ships (its entry points), not the test tasks other test modules register."""


@pytest.mark.parametrize("name", SHIPPED)
def test_every_task_loads_the_simulated_study(small_root: Path, name: str) -> None:
    task = get_task(name)
    dataset = task.load(small_root)
    assert "simulated" in dataset.version
    evaluated = dataset.split(task.eval_split)
    assert evaluated, f"{name}: no samples in the {task.eval_split} split"
    if task.kind == "classification":
        y = task.targets(evaluated)
        assert y.shape == (len(evaluated), len(task.labels))
        assert np.nansum(y) > 0, f"{name}: no positive label to evaluate"
    else:  # what each kind's items are made of is there to evaluate
        references = {"report": lambda s: s.report, "scanpath": lambda s: s.gaze,
                      "vqa": lambda s: s.questions, "grounding": lambda s: s.findings or s.phrases}[task.kind]
        assert any(references(s) for s in evaluated), f"{name}: nothing to evaluate in the {task.eval_split} split"
    assert all(s.image_path.is_file() for s in evaluated)
    if task.in_domain:
        assert dataset.split(task.train_split) and dataset.split(task.val_split)
        assert all(s.gaze for s in dataset.samples), "every in-domain image has a radiologist's reading"
        train_patients = {s.patient_id for s in dataset.split(task.train_split)}
        assert train_patients.isdisjoint(s.patient_id for s in evaluated), "split is patient-level"
