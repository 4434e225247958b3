"""End-to-end CLI fixtures: an isolated cache and the "small" simulated study, shared by the session."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point $GAZEBENCH_CACHE at a session temp dir (also inherited by subprocesses)."""
    cache = tmp_path_factory.mktemp("cache")
    old = os.environ.get("GAZEBENCH_CACHE")
    os.environ["GAZEBENCH_CACHE"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("GAZEBENCH_CACHE", None)
    else:
        os.environ["GAZEBENCH_CACHE"] = old


@pytest.fixture(scope="session")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from gazebench.synthetic import generate

    return generate(tmp_path_factory.mktemp("data"), size="small", seed=0)
