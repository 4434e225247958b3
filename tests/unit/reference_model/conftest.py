"""Fixtures for the reference-model tests: a FitContext on hand-built samples with gaze, without the engine."""
from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.vlm import fit_context as make_context
from gazebench.adapter import FitContext


@pytest.fixture
def fit_context(tmp_path: Path) -> FitContext:
    return make_context(tmp_path / "work")
