"""One "small" simulated study shared by the synthetic tests (generated once per session, ~4 s CPU)."""
from __future__ import annotations

from pathlib import Path

import pytest

from gazebench.synthetic import generate


@pytest.fixture(scope="session")
def small_study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("synth") / "study", size="small", seed=0)
