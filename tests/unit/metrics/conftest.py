"""Synthetic multi-label cases for the metrics tests: scores that separate the classes by a known
margin, masked entries, and patients owning several images."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest


@dataclass(frozen=True)
class Case:
    y: np.ndarray
    p: np.ndarray
    patients: np.ndarray


def make_case(
    n: int, n_labels: int = 3, seed: int = 0, signal: float = 1.0, mask: float = 0.1, per_patient: int = 2
) -> Case:
    """n images, positives ~30 %, scores = sigmoid(signal * y + noise) rounded to 2 decimals (ties)."""
    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < 0.3).astype(np.float64)
    logit = signal * (2 * y - 1) + rng.standard_normal((n, n_labels))
    p = np.round(1 / (1 + np.exp(-logit)), 2)
    y[rng.random((n, n_labels)) < mask] = np.nan
    patients = np.array([f"p{i // per_patient}" for i in range(n)])
    return Case(y=y, p=p, patients=patients)


@pytest.fixture
def case() -> Callable[..., Case]:
    return make_case
