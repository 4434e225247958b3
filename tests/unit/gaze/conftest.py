"""Shared builders for the gaze unit tests."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from gazebench.records import Fixations


@pytest.fixture
def fixations() -> Callable[..., Fixations]:
    """Build Fixations from (t_start, t_end, x, y) rows."""

    def build(rows: Sequence[tuple[float, float, float, float]], ppd: float = 5.0) -> Fixations:
        a = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
        return Fixations(a[:, 0].copy(), a[:, 1].copy(), a[:, 2].copy(), a[:, 3].copy(), ppd)

    return build
