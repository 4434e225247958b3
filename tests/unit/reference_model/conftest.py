"""Fixtures for the reference-model tests: samples with gaze and a FitContext built without the engine."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from refmodel_fixtures import batches, make_sample

from gazebench.adapter import FitContext
from gazebench.records import Sample
from gazebench.task import get_task


@pytest.fixture
def samples() -> tuple[tuple[Sample, ...], tuple[Sample, ...]]:
    train = tuple(make_sample(i, "train", with_gaze=i != 3) for i in range(8))
    val = tuple(make_sample(100 + i, "validate") for i in range(4))
    return train, val


@pytest.fixture
def fit_context(tmp_path: Path, samples: tuple[tuple[Sample, ...], tuple[Sample, ...]]) -> FitContext:
    train, val = samples
    return FitContext(task=get_task("mimic-eye"), train=train, val=val, batches=batches,
                      device=torch.device("cpu"), seed=0, workdir=tmp_path / "work", log=lambda _: None)
