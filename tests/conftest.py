"""Test-wide setup: every test session gets its own empty gazebench cache, so tests never read or
write the user's ~/.cache/gazebench and never depend on one another's cached files."""
from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    os.environ["GAZEBENCH_CACHE"] = tempfile.mkdtemp(prefix="gazebench-test-cache-")
    os.environ.pop("GAZEBENCH_DATA_ROOT", None)
    os.environ.setdefault("MPLBACKEND", "Agg")
