"""Test-wide setup: every test session gets its own empty gazebench cache, so tests never read or
write the user's ~/.cache/gazebench and never depend on one another's cached files."""
from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    os.environ["GAZEBENCH_CACHE"] = tempfile.mkdtemp(prefix="gazebench-test-cache-")
    os.environ.pop("GAZEBENCH_DATA_ROOT", None)
    for name in ("GAZEBENCH_CHEXBERT", "GAZEBENCH_RADGRAPH", "GAZEBENCH_BERTSCORE"):  # tests give the weights
        os.environ.pop(name, None)
    os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def small_root(tmp_path_factory: pytest.TempPathFactory):
    """The "small" simulated reader study (seconds to generate), shared by the whole session."""
    from gazebench.synthetic import generate

    return generate(tmp_path_factory.mktemp("data"), size="small", seed=0)


def pytest_sessionstart(session: pytest.Session) -> None:
    """One torch thread per test process: the suite runs under xdist on 2 cores, and oversubscribed
    threads make tiny models many times slower."""
    import torch

    torch.set_num_threads(1)
